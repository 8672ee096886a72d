"""Routing several items of the duty desk to one officer at once: each goes through
`item_assign` (its right, its scope, the officer's community rule, its audit row); the
page says what was routed and what was refused and why."""

import pytest
from django.urls import reverse

from outpost.dispatch.models import DispatchItem
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def desk(upload, district, officer_a, officer_b):
    """An order whose three items wait at the duty desk: two people not in the registry,
    and a resident of community B, which has no officer any more."""
    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))
    officer_b.groups.clear()
    order = upload(
        [
            ["1", "外地人员一", "", "", "", ""],
            ["2", "外地人员二", "", "", "", ""],
            ["3", resident.name, resident.id_number, "", "", ""],
        ]
    )
    items = list(DispatchItem.objects.filter(order=order).order_by("row_number"))
    assert all(item.assigned_officer is None for item in items)
    return order, items


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_partly_refused_batch_routes_the_others_and_says_why(
    client, desk, station_officer, officer_a
):
    order, items = desk
    client.force_login(station_officer)
    page = client.get(reverse("dispatch:duty_desk", args=[order.pk])).content.decode()
    assert 'form="batch-assign"' in page

    response = client.post(
        reverse("dispatch:duty_desk", args=[order.pk]),
        {"officer": officer_a.pk, "selected": [item.pk for item in items]},
        follow=True,
    )

    messages = _messages(response)
    assert any(m.startswith("2 items routed to") for m in messages)
    assert "1 record was refused:" in messages
    assert any(
        m.startswith(f"Row {items[2].row_number} · ")
        and "is not responsible for 乙社区第1网格" in m
        for m in messages
    )
    routed, _second, refused = (DispatchItem.objects.get(pk=item.pk) for item in items)
    assert routed.assigned_officer == officer_a
    assert routed.history.latest().history_user == station_officer
    assert refused.assigned_officer is None


def test_a_batch_without_an_officer_routes_nothing(client, desk, station_officer):
    order, items = desk
    client.force_login(station_officer)
    response = client.post(
        reverse("dispatch:duty_desk", args=[order.pk]),
        {"selected": [item.pk for item in items]},
        follow=True,
    )
    assert "Choose the officer to route the selected items to." in _messages(response)
    assert not DispatchItem.objects.filter(order=order, assigned_officer__isnull=False).exists()


def test_a_user_who_may_not_route_gets_a_404(client, desk, district):
    from outpost.core.choices import Role
    from outpost.core.tests.factories import staff_user

    order, items = desk
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    client.force_login(leader)
    response = client.post(
        reverse("dispatch:duty_desk", args=[order.pk]),
        {"officer": 1, "selected": [item.pk for item in items]},
    )
    assert response.status_code == 404
