"""An officer hands an item's door check to a grid worker of its grid (交网格员核查): the
grid worker sees it in My order items and on their home page's to-do lines, records the
result on their phone, and may neither record on anyone else's item nor assign."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from outpost.core.choices import Role
from outpost.core.shell import TODO_NORMAL, home_counts, todo_lines
from outpost.core.tests.factories import staff_user
from outpost.dispatch.choices import ItemResult
from outpost.dispatch.models import DispatchItem
from outpost.dispatch.services import item_assign
from outpost.dispatch.tests.factories import DispatchItemFactory, DispatchOrderFactory
from outpost.notify.models import InboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OPEN_LINE = "My open order items"


@pytest.fixture
def item(district, officer_a):
    """An item of a resident of grid A1, routed to community A's officer."""
    return DispatchItemFactory(unit=district.grid_a1, assigned_officer=officer_a)


@pytest.fixture
def worker_a2(district):
    return staff_user(role=Role.GRID_WORKER, unit=district.grid_a2, username="grid_a2")


@pytest.fixture
def worker_b1(district):
    return staff_user(role=Role.GRID_WORKER, unit=district.grid_b1, username="grid_b1")


def _assign(client, item, person, *, next_url=""):
    url = reverse("dispatch:item_assign", args=[item.pk])
    if next_url:
        url += f"?next={next_url}"
    return client.post(url, {"officer": person.pk})


def _lines(user) -> dict:
    """The user's to-do lines by label (in English: a page view before may have switched
    the thread to the user's language), counted now as the home page counts them: a line
    counts its rows only when asked, and a test compares lines taken before a change with
    lines taken after it."""
    with translation.override("en"):
        lines = todo_lines(user=user, roles=user.staff_profile.roles)
    home_counts(lines, [])
    return {line.label: line for line in lines}


def _handed_over(item, officer, worker) -> DispatchItem:
    return item_assign(acting_user=officer, item=item, officer=worker)


def test_the_assign_form_offers_officers_and_the_grid_workers_of_the_items_grid_by_role(
    client, item, officer_a, grid_worker_a1, worker_a2, worker_b1
):
    client.force_login(officer_a)

    page = client.get(reverse("dispatch:item_assign", args=[item.pk])).content.decode()

    assert "officer_a · Community police officer · 甲社区" in page
    assert "grid_a1 · Grid worker · 甲社区第1网格" in page
    assert "grid_a2" not in page  # another grid of the same community
    assert "grid_b1" not in page  # another community


def test_the_item_page_offers_the_officer_the_hand_over(client, item, officer_a):
    client.force_login(officer_a)

    page = client.get(item.get_absolute_url()).content.decode()

    assign = reverse("dispatch:item_assign", args=[item.pk])
    assert f'href="{assign}?next={item.get_absolute_url()}"' in page


def test_an_officer_hands_an_item_to_the_grid_worker_of_its_grid(
    client, item, officer_a, grid_worker_a1
):
    client.force_login(officer_a)

    response = _assign(client, item, grid_worker_a1, next_url=item.get_absolute_url())

    assert response.status_code == 302
    assert response.url == item.get_absolute_url()
    item.refresh_from_db()
    assert item.assigned_officer == grid_worker_a1
    latest = item.history.latest()
    assert (latest.history_user, latest.assigned_officer_id) == (officer_a, grid_worker_a1.pk)
    message = InboxMessage.objects.get(recipient=grid_worker_a1)
    assert message.url == reverse("dispatch:my_items") + f"?order={item.order_id}"
    # The officer still sees it on the item's page, now in the grid worker's hands.
    page = client.get(item.get_absolute_url()).content.decode()
    assert "grid_a1" in page


def test_the_grid_worker_sees_it_in_my_order_items_and_on_the_home_page(
    client, item, officer_a, grid_worker_a1
):
    _handed_over(item, officer_a, grid_worker_a1)
    client.force_login(grid_worker_a1)

    mine = client.get(reverse("dispatch:my_items"))
    home = client.get(reverse("home")).content.decode()

    assert mine.status_code == 200
    assert [i.pk for i in mine.context["object_list"]] == [item.pk]
    line = _lines(grid_worker_a1)[OPEN_LINE]
    assert (line.count, line.state) == (1, TODO_NORMAL)
    assert f'href="{reverse("dispatch:my_items")}?show=open"' in home
    menu = {entry["url"] for entry in client.get(reverse("home")).context["nav_items"]}
    assert reverse("dispatch:my_items") in menu
    assert reverse("dispatch:order_list") not in menu


def test_the_grid_worker_records_the_result_on_the_phone_form(
    client, item, officer_a, grid_worker_a1
):
    _handed_over(item, officer_a, grid_worker_a1)
    client.force_login(grid_worker_a1)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'name="version" value="0"' in page
    assert 'data-testid="assign-link"' not in page  # the grid worker does not assign

    response = client.post(
        item.get_absolute_url(),
        {"version": 0, "result": ItemResult.FOUND_NOT_KEY, "note": "已上门"},
    )

    assert response.status_code == 302
    assert response.url == reverse("dispatch:my_items")
    item.refresh_from_db()
    assert (item.result, item.recorded_by, item.version) == (
        ItemResult.FOUND_NOT_KEY,
        grid_worker_a1,
        1,
    )
    assert item.history.latest().history_user == grid_worker_a1
    assert _lines(grid_worker_a1)[OPEN_LINE].count == 0


def test_a_grid_worker_cannot_record_on_an_item_assigned_to_someone_else(
    client, item, grid_worker_a1
):
    """The item is in the worker's own grid, but the officer kept it."""
    client.force_login(grid_worker_a1)

    assert client.get(item.get_absolute_url()).status_code == 404
    posted = client.post(item.get_absolute_url(), {"version": 0, "result": "not_found"})
    api = client.post(
        f"/api/v1/dispatch/items/{item.pk}/result",
        json.dumps({"version": 0, "result": "not_found"}),
        content_type="application/json",
    )

    assert (posted.status_code, api.status_code) == (404, 404)
    item.refresh_from_db()
    assert item.result == "" and item.version == 0


def test_another_grids_worker_gets_a_404(client, item, officer_a, grid_worker_a1, worker_a2):
    _handed_over(item, officer_a, grid_worker_a1)
    client.force_login(worker_a2)

    assert client.get(item.get_absolute_url()).status_code == 404
    assert client.get(reverse("dispatch:my_items")).context["object_list"].count() == 0


def test_a_grid_worker_cannot_assign(client, item, officer_a, grid_worker_a1):
    _handed_over(item, officer_a, grid_worker_a1)
    client.force_login(grid_worker_a1)

    assert client.get(reverse("dispatch:item_assign", args=[item.pk])).status_code == 404
    assert _assign(client, item, officer_a).status_code == 404
    assert client.get(reverse("dispatch:duty_desk", args=[item.order_id])).status_code == 404
    assert client.get(reverse("dispatch:order_list")).status_code == 403
    with pytest.raises(PermissionDenied):
        item_assign(acting_user=grid_worker_a1, item=item, officer=grid_worker_a1)
    item.refresh_from_db()
    assert item.assigned_officer == grid_worker_a1


@pytest.mark.parametrize("worker", ["worker_a2", "worker_b1"])
def test_a_grid_worker_outside_the_items_grid_is_refused(client, item, officer_a, worker, request):
    other = request.getfixturevalue(worker)
    client.force_login(officer_a)

    response = _assign(client, item, other)  # not on the form's list

    assert response.status_code == 422
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        item_assign(acting_user=officer_a, item=item, officer=other)
    assert refused.value.message_dict == {
        "officer": [
            "Choose a police officer of your jurisdiction or a grid worker of 甲社区第1网格."
        ]
    }
    item.refresh_from_db()
    assert item.assigned_officer == officer_a


def test_an_unmatched_item_handed_to_a_grid_worker_moves_to_their_grid(district, grid_worker_a1):
    station_officer = staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="s")
    order = DispatchOrderFactory(unit=district.station)
    unmatched = DispatchItemFactory(order=order, unit=district.station, resident=None)

    item_assign(acting_user=station_officer, item=unmatched, officer=grid_worker_a1)

    unmatched.refresh_from_db()
    assert (unmatched.unit, unmatched.assigned_officer) == (district.grid_a1, grid_worker_a1)


def test_the_officers_own_lines_count_only_what_they_kept(
    client, district, officer_a, grid_worker_a1
):
    kept = DispatchItemFactory(unit=district.grid_a1, assigned_officer=officer_a)
    handed = DispatchItemFactory(unit=district.grid_a1, assigned_officer=officer_a)
    before = _lines(officer_a)

    _handed_over(handed, officer_a, grid_worker_a1)

    after = _lines(officer_a)
    assert list(after) == list(before)  # the same lines, in the same order
    assert (before[OPEN_LINE].count, after[OPEN_LINE].count) == (2, 1)
    client.force_login(officer_a)
    mine = client.get(reverse("dispatch:my_items")).context["object_list"]
    assert [i.pk for i in mine] == [kept.pk]
    # The officer may still record on the handed item (it is of their jurisdiction).
    assert client.get(handed.get_absolute_url()).status_code == 200
