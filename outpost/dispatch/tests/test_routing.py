"""Review of undecided matches and the duty desk (manual routing)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from outpost.dispatch.choices import MatchStatus
from outpost.dispatch.models import DispatchItem
from outpost.dispatch.services import item_assign, item_review_decide
from outpost.notify.models import InboxMessage
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from outpost.screening.models import MatchDecision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADERS = ["序号", "姓名", "出生日期", "备注"]
BORN = datetime.date(1985, 3, 7)


@pytest.fixture
def namesakes(district):
    """Two residents of the same name and birth date, one in each community."""
    return [
        ResidentFactory(household=HouseholdFactory(unit=grid), name="王建国", birth_date=BORN)
        for grid in (district.grid_a1, district.grid_b1)
    ]


@pytest.fixture
def review_item(upload, namesakes, officer_a, officer_b):
    order = upload([["1", "王建国", "1985-03-07", "同名待核"]], headers=HEADERS)
    return DispatchItem.objects.get(order=order)


def test_a_tie_waits_for_review_at_the_station_with_both_candidates(
    review_item, namesakes, district
):
    assert review_item.match_status == MatchStatus.REVIEW
    assert {c["resident_id"] for c in review_item.candidates} == {r.pk for r in namesakes}
    assert review_item.unit == district.station
    assert review_item.assigned_officer is None


def test_accepting_a_candidate_routes_the_item_and_remembers_the_decision(
    client, review_item, namesakes, station_officer, officer_b
):
    client.force_login(station_officer)
    page = client.get(reverse("dispatch:item_review", args=[review_item.pk])).content.decode()
    assert namesakes[1].masked_id_number in page
    assert namesakes[1].id_number not in page

    response = client.post(
        reverse("dispatch:item_review", args=[review_item.pk]), {"resident": namesakes[1].pk}
    )

    assert response.status_code == 302
    review_item.refresh_from_db()
    assert review_item.match_status == MatchStatus.DECIDED
    assert review_item.resident == namesakes[1]
    assert review_item.assigned_officer == officer_b
    assert InboxMessage.objects.filter(recipient=officer_b).count() == 1
    decision = MatchDecision.objects.get()
    assert (decision.identity_key, decision.resident) == (review_item.identity_key, namesakes[1])


def test_the_remembered_decision_links_the_same_row_of_a_later_order(
    upload, review_item, namesakes, station_officer, officer_b
):
    item_review_decide(acting_user=station_officer, item=review_item, resident=namesakes[1])

    later = upload([["1", "王建国", "1985-03-07", "再次下发"]], headers=HEADERS, number="2")

    item = DispatchItem.objects.get(order=later)
    assert item.match_status == MatchStatus.DECIDED
    assert item.assigned_officer == officer_b


def test_rejecting_every_candidate_sends_the_item_to_the_duty_desk(
    client, review_item, station_officer
):
    client.force_login(station_officer)
    client.post(reverse("dispatch:item_review", args=[review_item.pk]), {"resident": "none"})

    review_item.refresh_from_db()
    assert review_item.match_status == MatchStatus.UNMATCHED
    desk = client.get(reverse("dispatch:duty_desk", args=[review_item.order_id])).content.decode()
    assert f'action="{reverse("dispatch:item_assign", args=[review_item.pk])}"' in desk


def test_a_review_item_cannot_be_routed_by_hand_before_it_is_decided(
    review_item, station_officer, officer_a
):
    with pytest.raises(ValidationError, match="Decide the match first"):
        item_assign(acting_user=station_officer, item=review_item, officer=officer_a)


@pytest.fixture
def unmatched_item(upload, officer_a, officer_b):
    order = upload([["1", "外地人员", "", "", "", ""]])
    return DispatchItem.objects.get(order=order)


def test_the_duty_desk_routes_an_unmatched_item_to_an_officer_who_then_sees_it(
    client, unmatched_item, station_officer, officer_a, district
):
    client.force_login(station_officer)
    desk = client.get(reverse("dispatch:duty_desk", args=[unmatched_item.order_id]))
    assert "外地人员" in desk.content.decode()

    response = client.post(
        reverse("dispatch:item_assign", args=[unmatched_item.pk]), {"officer": officer_a.pk}
    )

    assert response.status_code == 302
    unmatched_item.refresh_from_db()
    assert unmatched_item.assigned_officer == officer_a
    assert unmatched_item.unit == district.community_a
    assert InboxMessage.objects.filter(recipient=officer_a).count() == 1
    client.force_login(officer_a)
    mine = client.get(reverse("dispatch:my_items")).content.decode()
    assert unmatched_item.get_absolute_url() in mine


def test_an_officer_of_another_community_is_refused_for_a_residents_item(
    client, upload, station_officer, officer_a, officer_b, district
):
    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))
    officer_b.groups.clear()  # community B has no officer any more: the item waits
    order = upload([["1", resident.name, resident.id_number, "", "", ""]])
    item = DispatchItem.objects.get(order=order)
    assert item.assigned_officer is None and item.unit == district.grid_b1
    client.force_login(station_officer)

    response = client.post(
        reverse("dispatch:item_assign", args=[item.pk]), {"officer": officer_a.pk}
    )

    assert response.status_code == 422  # refused, shown next to the field
    assert "is not responsible for 乙社区第1网格" in response.content.decode()
    item.refresh_from_db()
    assert item.assigned_officer is None


def test_officers_offered_come_from_the_users_jurisdiction_only(
    client, unmatched_item, officer_a, officer_b, district
):
    """An officer of community A (who cannot see the station's duty desk) cannot route to
    an officer of community B: the item is not theirs to see, and B's officer is not on
    their list either."""
    client.force_login(officer_a)
    assert client.get(reverse("dispatch:item_assign", args=[unmatched_item.pk])).status_code == 404

    from outpost.dispatch.services import police_officers_for

    assert list(police_officers_for(officer_a)) == [officer_a]
