"""Recording the result on the ground: the phone form, no lost update, key persons."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.dispatch.choices import ItemResult
from outpost.dispatch.services import item_result_record
from outpost.dispatch.tests.factories import DispatchItemFactory
from outpost.keypersons.choices import KeyPersonCategory, SourceType
from outpost.keypersons.models import KeyPerson, KeyPersonSource
from outpost.keypersons.services import key_person_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def item(district, officer_a):
    return DispatchItemFactory(unit=district.grid_a1, assigned_officer=officer_a)


@pytest.fixture
def colleague(district):
    """A second officer of community A, who may record the same item."""
    return staff_user(role=Role.POLICE_OFFICER, unit=district.community_a, username="officer_a2")


def test_the_result_form_is_made_for_a_phone(client, item, officer_a):
    client.force_login(officer_a)

    page = client.get(item.get_absolute_url()).content.decode()

    assert '<meta name="viewport" content="width=device-width' in page
    for value in ItemResult.values:
        assert f'type="radio" name="result" value="{value}"' in page
    assert 'class="moved-to"' in page  # shown by CSS only when "moved away" is chosen
    assert 'name="version" value="0"' in page
    assert item.masked_id_number in page and item.id_number not in page
    assert '<dt>备注</dt><dd class="sent-values">上级备注</dd>' in page  # the order's remark


def test_an_officer_records_a_result_from_the_phone_form(client, item, officer_a):
    client.force_login(officer_a)

    response = client.post(
        item.get_absolute_url(),
        {
            "version": 0,
            "result": ItemResult.MOVED_AWAY,
            "moved_to": "沈阳市和平区",
            "note": "邻居说",
        },
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.result, item.moved_to, item.result_note) == (
        ItemResult.MOVED_AWAY,
        "沈阳市和平区",
        "邻居说",
    )
    assert item.recorded_by == officer_a and item.result_at is not None
    assert item.version == 1


def test_moved_away_needs_where_to(client, item, officer_a):
    client.force_login(officer_a)

    response = client.post(item.get_absolute_url(), {"version": 0, "result": "moved_away"})

    assert response.status_code == 422
    assert "Say where the person moved to." in response.content.decode()
    item.refresh_from_db()
    assert item.result == ""


def test_two_users_saving_the_same_version_do_not_lose_an_update(item, officer_a, colleague):
    item_result_record(
        acting_user=officer_a, item=item, version=0, result=ItemResult.FOUND_NOT_KEY, note="在家"
    )

    with pytest.raises(ValidationError) as refused:
        item_result_record(acting_user=colleague, item=item, version=0, result=ItemResult.NOT_FOUND)

    assert "Someone else recorded a result" in str(refused.value.message_dict["version"])
    item.refresh_from_db()
    assert (item.result, item.recorded_by, item.version) == (ItemResult.FOUND_NOT_KEY, officer_a, 1)


def test_the_second_user_sees_why_and_what_the_first_recorded(client, item, officer_a, colleague):
    client.force_login(colleague)
    stale_form = {"version": 0, "result": ItemResult.NOT_FOUND, "note": "敲门无人"}
    item_result_record(acting_user=officer_a, item=item, version=0, result="found_not_key")

    response = client.post(item.get_absolute_url(), stale_form)

    page = response.content.decode()
    assert response.status_code == 422
    assert 'data-testid="form-error"' in page and "Someone else recorded a result" in page
    assert "Recorded</dt><dd>Found, not a key person" in page  # what the first user recorded
    assert 'name="version" value="1"' in page  # saving again is a deliberate overwrite
    assert "敲门无人" in page  # the user's entry is kept
    item.refresh_from_db()
    assert item.result == ItemResult.FOUND_NOT_KEY


def test_found_and_under_management_makes_the_resident_a_key_person(item, officer_a):
    item = item_result_record(
        acting_user=officer_a, item=item, version=0, result=ItemResult.FOUND_MANAGED
    )

    key_person = KeyPerson.objects.get(resident=item.resident)
    assert item.key_person == key_person
    assert key_person.source_type == SourceType.DISPATCH_ORDER
    assert key_person.category == KeyPersonCategory.DISPATCHED
    assert item.order.order_number in key_person.source_note


def test_an_active_key_person_is_reused_and_the_order_noted_as_a_source(item, officer_a):
    existing = key_person_create(
        acting_user=officer_a, category=KeyPersonCategory.CLOSE_CONTACT, resident=item.resident
    )

    item = item_result_record(
        acting_user=officer_a, item=item, version=0, result=ItemResult.FOUND_MANAGED
    )

    assert item.key_person == existing
    assert KeyPerson.objects.count() == 1
    source = KeyPersonSource.objects.filter(key_person=existing).last()
    assert source.source_type == SourceType.DISPATCH_ORDER
    assert item.order.order_number in source.note


def test_an_officer_of_another_community_gets_a_404(client, district, officer_b, item):
    client.force_login(officer_b)

    assert client.get(item.get_absolute_url()).status_code == 404
    response = client.post(item.get_absolute_url(), {"version": 0, "result": "not_found"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.result == ""


@pytest.fixture
def officer_b(district):
    return staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="officer_b")


def test_my_items_lists_open_items_overdue_ones_marked(client, district, officer_a):
    import datetime

    from django.utils import timezone

    overdue = DispatchItemFactory(
        unit=district.grid_a1,
        assigned_officer=officer_a,
        order__deadline=timezone.now() - datetime.timedelta(hours=1),
    )
    done = DispatchItemFactory(
        unit=district.grid_a1, assigned_officer=officer_a, result="not_found"
    )
    client.force_login(officer_a)

    page = client.get(reverse("dispatch:my_items")).content.decode()

    assert overdue.get_absolute_url() in page
    assert "is-overdue" in page
    assert done.get_absolute_url() not in page
    assert (
        done.get_absolute_url()
        in client.get(reverse("dispatch:my_items") + "?show=done").content.decode()
    )


def test_my_items_list_needs_a_constant_number_of_queries(
    client, district, officer_a, django_assert_max_num_queries
):
    for _ in range(8):
        DispatchItemFactory(unit=district.grid_a1, assigned_officer=officer_a)
    client.force_login(officer_a)
    client.get(reverse("dispatch:my_items"))  # warm the session and permission caches

    with django_assert_max_num_queries(12):
        response = client.get(reverse("dispatch:my_items"))

    assert response.content.decode().count('data-testid="my-item"') == 8
