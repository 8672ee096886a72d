"""The review queue: accepting or rejecting uncertain matches applies to the run at once
(results and counts) and is remembered by later runs; scoped; pages masked, htmx or not."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from outpost.screening.choices import LinkStatus
from outpost.screening.models import MatchDecision, ScreeningResult
from outpost.screening.services import (
    match_review_accept,
    match_review_reject,
    match_review_reject_all,
    screening_run_execute,
)
from outpost.screening.tests import test_runs
from outpost.screening.tests.factories import FeedRowFactory, ScreeningRunFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# The world of the run tests: residents, a feed with a tie row, a station officer.
ARRIVED = test_runs.ARRIVED
world = test_runs.world
station_officer = test_runs.station_officer


def _execute(user, unit, feeds, run=None):
    if run is None:
        run = ScreeningRunFactory(unit=unit, created_by=user)
        run.feeds.set(feeds)
    screening_run_execute(acting_user=user, run=run)
    run.refresh_from_db()
    return run


def _statuses(run):
    return {
        r.resident_id: (r.status, r.category.code if r.category else None)
        for r in ScreeningResult.objects.filter(run=run).select_related("category")
    }


def _review_result(run, resident):
    return ScreeningResult.objects.get(run=run, resident=resident, status=LinkStatus.REVIEW)


@pytest.fixture
def run(world, district, station_officer):
    return _execute(station_officer, district.station, [world["feed"]])


def test_accepting_a_candidate_links_them_with_their_category_and_drops_the_other(
    run,
    world,
    station_officer,
):
    twin_1, twin_2 = world["twins"]
    assert run.counts["review"] == 2
    match_review_accept(acting_user=station_officer, result=_review_result(run, twin_1))
    statuses = _statuses(run)
    assert statuses[twin_1.pk] == (LinkStatus.DECIDED, "wuhan")
    assert twin_2.pk not in statuses
    assert ScreeningResult.objects.get(run=run, resident=twin_1).arrival_date == ARRIVED
    run.refresh_from_db()
    assert run.counts["categories"]["wuhan"] == 2
    assert run.counts["review"] == 0
    assert run.counts["review_rows"] == 0
    assert run.counts["unmatched_rows"] == 1


def test_an_accepted_match_holds_when_the_run_runs_again(
    run,
    world,
    district,
    station_officer,
):
    twin_1, twin_2 = world["twins"]
    match_review_accept(acting_user=station_officer, result=_review_result(run, twin_1))
    decided = _statuses(run)
    run = _execute(station_officer, district.station, [world["feed"]], run=run)
    assert _statuses(run) == decided
    again = _execute(station_officer, district.station, [world["feed"]])
    assert _statuses(again)[twin_1.pk] == (LinkStatus.DECIDED, "wuhan")
    assert twin_2.pk not in _statuses(again)


def test_rejecting_one_candidate_leaves_the_other_to_review_now_and_later(
    run,
    world,
    district,
    station_officer,
):
    twin_1, twin_2 = world["twins"]
    match_review_reject(acting_user=station_officer, result=_review_result(run, twin_1))
    assert _statuses(run) == {**_statuses(run), twin_2.pk: (LinkStatus.REVIEW, None)}
    assert twin_1.pk not in _statuses(run)
    run.refresh_from_db()
    assert run.counts["review"] == 1
    assert run.counts["review_rows"] == 1
    again = _execute(station_officer, district.station, [world["feed"]])
    assert twin_1.pk not in _statuses(again)
    assert _statuses(again)[twin_2.pk] == (LinkStatus.REVIEW, None)


def test_rejecting_the_last_candidate_leaves_the_row_unmatched(
    run,
    world,
    station_officer,
):
    twin_1, twin_2 = world["twins"]
    match_review_reject(acting_user=station_officer, result=_review_result(run, twin_1))
    match_review_reject(acting_user=station_officer, result=_review_result(run, twin_2))
    run.refresh_from_db()
    assert run.counts["review"] == 0
    assert run.counts["review_rows"] == 0
    assert run.counts["unmatched_rows"] == 2


def test_none_of_these_rejects_every_candidate_now_and_later(
    run,
    world,
    district,
    station_officer,
):
    twin_1, twin_2 = world["twins"]
    result = _review_result(run, twin_1)
    removed = match_review_reject_all(
        acting_user=station_officer, run=run, identity_key=result.identity_key
    )
    assert removed == 2
    assert not {twin_1.pk, twin_2.pk} & set(_statuses(run))
    run.refresh_from_db()
    assert (run.counts["review"], run.counts["review_rows"], run.counts["unmatched_rows"]) == (
        0,
        0,
        2,
    )
    decision = MatchDecision.objects.get(identity_key=result.identity_key)
    assert decision.rejected and decision.resident is None
    again = _execute(station_officer, district.station, [world["feed"]])
    assert not {twin_1.pk, twin_2.pk} & set(_statuses(again))


def test_a_decided_item_cannot_be_decided_twice(run, world, station_officer):
    from django.core.exceptions import ValidationError

    twin_1, _twin_2 = world["twins"]
    result = _review_result(run, twin_1)
    match_review_accept(acting_user=station_officer, result=result)
    with pytest.raises(ValidationError):
        match_review_reject(acting_user=station_officer, result=result)


def test_a_user_outside_the_run_cannot_decide(run, world, district):
    twin_1, _twin_2 = world["twins"]
    result = _review_result(run, twin_1)
    officer_b = staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="ob")
    with pytest.raises(Http404):
        match_review_accept(acting_user=officer_b, result=result)
    with pytest.raises(Http404):
        match_review_reject_all(acting_user=officer_b, run=run, identity_key=result.identity_key)
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    with pytest.raises(PermissionDenied):
        match_review_accept(acting_user=leader, result=result)
    assert not MatchDecision.objects.exists()
    assert _review_result(run, twin_1).status == LinkStatus.REVIEW


# ---------------------------------------------------------------------------- pages


def test_the_run_queue_shows_the_feed_row_beside_each_masked_candidate(
    run,
    world,
    station_officer,
    client,
):
    twin_1, twin_2 = world["twins"]
    client.force_login(station_officer)
    page = client.get(reverse("screening:run_review", args=[run.pk])).content.decode()
    for twin in (twin_1, twin_2):
        assert twin.masked_id_number in page
        assert twin.id_number not in page
        assert twin.household.masked_address in page
    assert world["tie_row"].masked_phone in page
    assert world["tie_row"].phone not in page
    assert world["feed"].original_name in page
    assert page.count("This is the person") == 2
    assert page.count("Not this person") == 2
    assert page.count("None of these") == 1


def test_the_run_page_links_to_its_queue_with_the_count(run, station_officer, client):
    client.force_login(station_officer)
    page = client.get(reverse("screening:run_detail", args=[run.pk])).content.decode()
    assert reverse("screening:run_review", args=[run.pk]) in page
    assert "Matches to review (1)" in page


def test_posting_a_decision_without_javascript_redirects_back(
    run,
    world,
    station_officer,
    client,
):
    twin_1, twin_2 = world["twins"]
    result = _review_result(run, twin_1)
    queue = reverse("screening:run_review", args=[run.pk])
    client.force_login(station_officer)
    response = client.post(
        reverse("screening:review_item", args=[result.pk]), {"action": "accept", "next": queue}
    )
    assert response.status_code == 302
    assert response["Location"] == queue
    assert _statuses(run)[twin_1.pk] == (LinkStatus.DECIDED, "wuhan")
    page = client.get(queue).content.decode()
    assert "Nothing left to review" in page
    assert twin_2.masked_id_number not in page


def test_an_htmx_decision_replaces_only_its_item(
    run,
    world,
    station_officer,
    client,
):
    twin_1, twin_2 = world["twins"]
    result = _review_result(run, twin_2)
    client.force_login(station_officer)
    response = client.post(
        reverse("screening:review_item", args=[result.pk]),
        {"action": "reject"},
        headers={"HX-Request": "true"},
    )
    fragment = response.content.decode()
    assert fragment.lstrip().startswith(
        f'<article class="card review-item" id="review-{run.pk}-{result.identity_key}"'
    )
    assert "<html" not in fragment
    assert twin_1.masked_id_number in fragment  # the remaining candidate, still to decide
    assert twin_2.masked_id_number not in fragment
    assert twin_2.pk not in _statuses(run)


def test_a_grid_worker_cannot_post_a_decision(run, world, district, client):
    twin_1, _twin_2 = world["twins"]
    result = _review_result(run, twin_1)
    officer = staff_user(role=Role.AUXILIARY_POLICE, unit=district.station, username="aux")
    client.force_login(officer)
    url = reverse("screening:review_item", args=[result.pk])
    assert client.post(url, {"action": "accept"}).status_code in (403, 404)
    assert _review_result(run, twin_1).status == LinkStatus.REVIEW


def test_another_communitys_officer_gets_a_404_for_the_item(run, world, district, client):
    twin_1, _twin_2 = world["twins"]
    result = _review_result(run, twin_1)
    client.force_login(
        staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="ob")
    )
    url = reverse("screening:review_item", args=[result.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "accept"}).status_code == 404


def test_the_station_queue_takes_the_same_queries_for_few_or_many_items(
    world,
    district,
    station_officer,
    client,
    django_assert_max_num_queries,
):
    _execute(station_officer, district.station, [world["feed"]])
    client.force_login(station_officer)
    url = reverse("screening:review_list")
    with django_assert_max_num_queries(30) as few:
        response = client.get(url)
    assert len(response.context["items"]) == 1
    for n in range(4):  # four more ties: two residents sharing a name and phone each
        phone = f"1370000000{n}"
        for grid in (district.grid_a1, district.grid_b1):
            ResidentFactory(household=HouseholdFactory(unit=grid), name=f"同名{n}", phone=phone)
        FeedRowFactory(
            feed=world["feed"],
            row_number=200 + n,
            name=f"同名{n}",
            id_number="",
            phone=phone,
            origin_region_code="420102",
            arrival_date=ARRIVED,
        )
    _execute(station_officer, district.station, [world["feed"]])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["items"]) == 5
