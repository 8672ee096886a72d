"""Key-person pages: the list (masked, filtered, scoped), the detail, new key persons, the
status change, and the action that turns screening results into key persons."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.keypersons.choices import KeyPersonCategory, KeyPersonStatus, SourceType
from outpost.keypersons.models import KeyPerson
from outpost.keypersons.tests.factories import KeyPersonFactory, ScreeningResultFactory
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory, valid_id_number
from outpost.screening.choices import LinkStatus
from outpost.screening.models import OriginCategory
from outpost.screening.tests.factories import ScreeningRunFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _resident(grid, **fields):
    return ResidentFactory(household=HouseholdFactory(unit=grid), **fields)


# ---------------------------------------------------------------------------- list and detail


def test_the_list_shows_key_persons_masked(client, officer_a, district):
    resident = _resident(district.grid_a1, phone="13912345678")
    KeyPersonFactory(resident=resident)
    client.force_login(officer_a)
    page = client.get(reverse("keypersons:list")).content.decode()
    assert resident.name in page
    assert resident.masked_id_number in page
    assert "139****5678" in page
    assert resident.id_number not in page
    assert "13912345678" not in page


def test_the_list_filters_by_status_category_and_grid(client, officer_a, district):
    identified = KeyPersonFactory(resident=_resident(district.grid_a1))
    contact = KeyPersonFactory(
        resident=_resident(district.grid_a2), category=KeyPersonCategory.CLOSE_CONTACT
    )
    released = KeyPersonFactory(
        resident=_resident(district.grid_a2),
        status=KeyPersonStatus.RELEASED,
        closed_on=timezone.localdate(),
        closed_reason="观察期满",
    )
    client.force_login(officer_a)

    def names(**query):
        response = client.get(reverse("keypersons:list"), query)
        return {kp.display_name for kp in response.context["object_list"]}

    assert names() == {identified.display_name, contact.display_name, released.display_name}
    assert names(status="closed") == {released.display_name}
    assert names(status="active") == {identified.display_name, contact.display_name}
    assert names(category="close_contact") == {contact.display_name}
    assert names(unit=district.grid_a1.pk) == {identified.display_name}
    assert names(q=contact.display_name) == {contact.display_name}


def test_the_list_is_one_query_per_page_whatever_its_length(
    client, officer_a, district, django_assert_max_num_queries
):
    for _ in range(12):
        KeyPersonFactory(resident=_resident(district.grid_a1))
    client.force_login(officer_a)
    client.get(reverse("keypersons:list"))  # warm the session and permission caches
    with django_assert_max_num_queries(12):
        response = client.get(reverse("keypersons:list"))
    assert len(response.context["object_list"]) == 12


def test_a_key_person_of_another_community_is_not_found(client, officer_a, district):
    other = KeyPersonFactory(resident=_resident(district.grid_b1))
    client.force_login(officer_a)
    assert client.get(reverse("keypersons:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("keypersons:status", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("keypersons:status", args=[other.pk]),
        {"status": "released", "reason": "不属本辖区", "on": timezone.localdate()},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == KeyPersonStatus.IDENTIFIED


def test_the_detail_shows_the_person_masked_the_sources_and_the_history(
    client, officer_a, district
):
    key_person = KeyPersonFactory(resident=_resident(district.grid_a1))
    key_person.sources.create(
        source_type=SourceType.MANUAL, note="居民主动申报", noted_by=officer_a
    )
    client.force_login(officer_a)
    page = client.get(key_person.get_absolute_url()).content.decode()
    assert key_person.resident.masked_id_number in page
    assert key_person.resident.id_number not in page
    assert "居民主动申报" in page
    assert "Change history" in page
    assert reverse("keypersons:status", args=[key_person.pk]) in page


# ---------------------------------------------------------------------------- new key persons


def test_a_resident_is_chosen_by_search_and_made_a_key_person(client, officer_a, district):
    resident = _resident(district.grid_a1, name="张三丰")
    _resident(district.grid_b1, name="张三丰")  # the namesake in community B is not offered
    client.force_login(officer_a)
    found = client.get(reverse("keypersons:resident_search"), {"q": "张三丰"})
    assert list(found.context["object_list"]) == [resident]
    choose = reverse("keypersons:new_from_resident", args=[resident.pk])
    assert choose in found.content.decode()

    response = client.post(
        choose,
        {
            "category": "close_contact",
            "source_type": "manual",
            "source_note": "",
            "identified_on": timezone.localdate().isoformat(),
        },
    )
    key_person = KeyPerson.objects.get(resident=resident)
    assert response.status_code == 302
    assert response["Location"] == key_person.get_absolute_url()
    assert key_person.category == KeyPersonCategory.CLOSE_CONTACT


def test_a_resident_of_another_community_cannot_be_chosen(client, officer_a, district):
    other = _resident(district.grid_b1)
    client.force_login(officer_a)
    url = reverse("keypersons:new_from_resident", args=[other.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"category": "other", "source_type": "manual"})
    assert response.status_code == 404
    assert not KeyPerson.objects.exists()


def test_a_person_not_in_the_registry_is_added_with_what_is_known(client, officer_a, district):
    number = valid_id_number(11, region="420102")
    client.force_login(officer_a)
    response = client.post(
        reverse("keypersons:new"),
        {
            "name": "李四",
            "id_number": number,
            "phone": "13812345678",
            "address_note": "黄河路100号",
            "unit": district.grid_a2.pk,
            "category": "self_reported",
            "source_type": "manual",
            "identified_on": timezone.localdate().isoformat(),
        },
    )
    key_person = KeyPerson.objects.get(name="李四")
    assert response.status_code == 302
    assert (key_person.unit, key_person.id_number) == (district.grid_a2, number)
    page = client.get(key_person.get_absolute_url()).content.decode()
    assert key_person.masked_id_number in page
    assert number not in page


def test_a_wrong_id_number_is_shown_on_the_form_and_nothing_is_saved(client, officer_a, district):
    client.force_login(officer_a)
    response = client.post(
        reverse("keypersons:new"),
        {
            "name": "李四",
            "id_number": "420102199001011234",
            "unit": district.grid_a1.pk,
            "category": "other",
            "source_type": "manual",
            "identified_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 422
    assert "wrong check character" in response.content.decode()
    assert not KeyPerson.objects.exists()


def test_a_unit_of_another_community_is_not_found(client, officer_a, district):
    client.force_login(officer_a)
    response = client.post(
        reverse("keypersons:new"),
        {"name": "李四", "unit": district.grid_b1.pk, "category": "other"},
    )
    assert response.status_code == 404
    assert not KeyPerson.objects.exists()


# ---------------------------------------------------------------------------- status


def test_closing_without_a_reason_is_refused_on_the_form(client, officer_a, district):
    key_person = KeyPersonFactory(resident=_resident(district.grid_a1))
    client.force_login(officer_a)
    url = reverse("keypersons:status", args=[key_person.pk])
    response = client.post(
        url, {"status": "released", "reason": " ", "on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 422
    assert "State the reason for closing." in response.content.decode()
    key_person.refresh_from_db()
    assert key_person.status == KeyPersonStatus.IDENTIFIED


def test_closing_with_a_reason_keeps_the_record(client, officer_a, district):
    key_person = KeyPersonFactory(resident=_resident(district.grid_a1))
    client.force_login(officer_a)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    key_person.identified_on = yesterday - datetime.timedelta(days=13)
    key_person.save(update_fields=["identified_on"])
    response = client.post(
        reverse("keypersons:status", args=[key_person.pk]),
        {"status": "moved_away", "reason": "已返回原籍", "on": yesterday.isoformat()},
    )
    assert response.status_code == 302
    key_person.refresh_from_db()
    assert (key_person.status, key_person.closed_on) == (KeyPersonStatus.MOVED_AWAY, yesterday)
    page = client.get(key_person.get_absolute_url()).content.decode()
    assert "已返回原籍" in page
    # A closed key person has no next step.
    assert reverse("keypersons:status", args=[key_person.pk]) not in page
    form = client.get(reverse("keypersons:status", args=[key_person.pk]))
    assert list(form.context["form"].fields["status"].choices) == []


# ---------------------------------------------------------------------------- from screening


@pytest.fixture
def run_a(district, officer_a):
    return ScreeningRunFactory(unit=district.community_a, created_by=officer_a, status="done")


def _result(run, grid, **fields):
    return ScreeningResultFactory(run=run, resident=_resident(grid), **fields)


def test_chosen_results_become_key_persons_and_the_list_of_the_run_shows_them(
    client, officer_a, run_a, district
):
    first = _result(run_a, district.grid_a1)
    second = _result(run_a, district.grid_a2)
    already = _result(run_a, district.grid_a1)
    KeyPersonFactory(resident=already.resident, category=KeyPersonCategory.CLOSE_CONTACT)
    client.force_login(officer_a)
    response = client.post(
        reverse("keypersons:from_screening"),
        {"run": run_a.pk, "results": [first.pk, second.pk, already.pk]},
        follow=True,
    )
    assert response.redirect_chain == [(f"{reverse('keypersons:list')}?run={run_a.pk}", 302)]
    page = response.content.decode()
    assert "2 added, 1 already key persons." in page
    shown = {kp.resident_id for kp in response.context["object_list"]}
    assert shown == {first.resident_id, second.resident_id, already.resident_id}
    assert KeyPerson.objects.filter(resident=already.resident).count() == 1


def test_all_linked_results_of_a_category_become_key_persons(client, officer_a, run_a, district):
    wuhan = _result(run_a, district.grid_a1)
    wuhan_decided = _result(run_a, district.grid_a2, status=LinkStatus.DECIDED)
    _result(run_a, district.grid_a1, status=LinkStatus.REVIEW)
    _result(run_a, district.grid_a1, category=OriginCategory.objects.get(code="elsewhere"))
    client.force_login(officer_a)
    response = client.post(
        reverse("keypersons:from_screening"), {"run": run_a.pk, "category": "wuhan"}
    )
    assert response.status_code == 302
    made = set(KeyPerson.objects.values_list("resident_id", flat=True))
    assert made == {wuhan.resident_id, wuhan_decided.resident_id}


def test_a_run_the_user_may_not_see_is_not_found(client, district, officer_a):
    run_b = ScreeningRunFactory(unit=district.community_b, status="done")
    foreign = _result(run_b, district.grid_b1)
    client.force_login(officer_a)
    response = client.post(
        reverse("keypersons:from_screening"), {"run": run_b.pk, "results": [foreign.pk]}
    )
    assert response.status_code == 404
    assert not KeyPerson.objects.exists()


def test_results_of_another_community_are_left_out(client, officer_a, run_a, district):
    own = _result(run_a, district.grid_a1)
    foreign = _result(run_a, district.grid_b1)
    client.force_login(officer_a)
    response = client.post(
        reverse("keypersons:from_screening"),
        {"run": run_a.pk, "results": [own.pk, foreign.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 added, 0 already key persons." in page
    assert foreign.resident.name not in page
    assert set(KeyPerson.objects.values_list("resident_id", flat=True)) == {own.resident_id}


def test_results_of_another_run_are_left_out_and_said_so(client, officer_a, run_a, district):
    own = _result(run_a, district.grid_a1)
    other_run = ScreeningRunFactory(unit=district.community_a, created_by=officer_a)
    stray = _result(other_run, district.grid_a1)
    client.force_login(officer_a)
    response = client.post(
        reverse("keypersons:from_screening"),
        {"run": run_a.pk, "results": [own.pk, stray.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 added, 0 already key persons." in page
    assert "1 of the chosen results were left out" in page
    assert set(KeyPerson.objects.values_list("resident_id", flat=True)) == {own.resident_id}


def test_nothing_chosen_goes_back_to_the_run(client, officer_a, run_a):
    client.force_login(officer_a)
    response = client.post(reverse("keypersons:from_screening"), {"run": run_a.pk})
    assert response.status_code == 302
    assert response["Location"] == run_a.get_absolute_url()
    assert not KeyPerson.objects.exists()


def test_turning_results_into_key_persons_needs_a_login(client, run_a, district):
    result = _result(run_a, district.grid_a1)
    response = client.post(
        reverse("keypersons:from_screening"), {"run": run_a.pk, "results": [result.pk]}
    )
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert not KeyPerson.objects.exists()
