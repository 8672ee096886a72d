"""Concealed travel (出行信息不一致): a run raises a discrepancy when the door-to-door visit
declared no travel or another origin while a feed puts the resident in a risk region; once,
whatever the re-runs; verified with a note; pages side by side and masked."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.registry.tests.factories import VisitFactory, VisitMemberFactory
from outpost.screening.choices import DiscrepancyKind, DiscrepancyStatus, LinkStatus
from outpost.screening.models import ScreeningResult, TravelDiscrepancy
from outpost.screening.services import (
    match_review_accept,
    screening_run_execute,
    travel_discrepancy_resolve,
)
from outpost.screening.tests import test_runs
from outpost.screening.tests.factories import ScreeningRunFactory, TravelDiscrepancyFactory

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


def _declared(resident, *, days_after=3, travelled=False, origin="", code=""):
    visited = timezone.make_aware(
        datetime.datetime.combine(ARRIVED + datetime.timedelta(days=days_after), datetime.time(10))
    )
    return VisitMemberFactory(
        visit=VisitFactory(household=resident.household, visited_at=visited),
        resident=resident,
        travelled=travelled,
        origin_place=origin,
        origin_region_code=code,
    )


def test_a_visit_that_declared_no_travel_raises_a_discrepancy(
    world,
    district,
    station_officer,
):
    wuhan = world["wuhan"]
    member = _declared(wuhan)
    run = _execute(station_officer, district.station, [world["feed"]])
    discrepancy = TravelDiscrepancy.objects.get()
    assert discrepancy.resident == wuhan
    assert discrepancy.unit == wuhan.unit
    assert discrepancy.kind == DiscrepancyKind.NO_TRAVEL
    assert discrepancy.status == DiscrepancyStatus.OPEN
    assert discrepancy.visit_member == member
    assert discrepancy.declared_travelled is False
    assert (discrepancy.feed_region_code, discrepancy.arrival_date) == ("420102", ARRIVED)
    assert discrepancy.feed_name == world["feed"].original_name
    assert discrepancy.category.code == "wuhan"
    assert run.counts["discrepancies"] == 1


def test_a_visit_that_declared_another_city_raises_a_discrepancy(
    world,
    district,
    station_officer,
):
    _declared(world["hubei"], travelled=True, origin="辽宁省沈阳市", code="210100")
    _execute(station_officer, district.station, [world["feed"]])
    discrepancy = TravelDiscrepancy.objects.get()
    assert discrepancy.resident == world["hubei"]
    assert discrepancy.kind == DiscrepancyKind.OTHER_ORIGIN
    assert discrepancy.declared_origin == "辽宁省沈阳市"


def test_another_origin_written_without_a_code_is_read_from_the_text(
    world,
    district,
    station_officer,
):
    _declared(world["wuhan"], travelled=True, origin="沈阳")
    _execute(station_officer, district.station, [world["feed"]])
    assert TravelDiscrepancy.objects.get().kind == DiscrepancyKind.OTHER_ORIGIN


@pytest.mark.parametrize(("origin", "code"), [("武汉市", "420100"), ("湖北省", "420000")])
def test_a_visit_that_declared_the_same_origin_raises_nothing(
    world,
    district,
    station_officer,
    origin,
    code,
):
    _declared(world["wuhan"], travelled=True, origin=origin, code=code)
    _execute(station_officer, district.station, [world["feed"]])
    assert not TravelDiscrepancy.objects.exists()


def test_an_arrival_from_a_place_no_designation_names_raises_nothing(
    world,
    district,
    station_officer,
):
    """Beijing falls to the catch-all (elsewhere) category: not a risk region."""
    _declared(world["beijing"])
    _execute(station_officer, district.station, [world["feed"]])
    assert not TravelDiscrepancy.objects.exists()


@pytest.mark.parametrize("days_after", [-1, 15])
def test_a_visit_outside_the_fourteen_days_after_the_arrival_raises_nothing(
    world,
    district,
    station_officer,
    days_after,
):
    _declared(world["wuhan"], days_after=days_after)
    _execute(station_officer, district.station, [world["feed"]])
    assert not TravelDiscrepancy.objects.exists()


def test_running_again_neither_duplicates_nor_reopens_a_discrepancy(
    world,
    district,
    station_officer,
):
    _declared(world["wuhan"])
    run = _execute(station_officer, district.station, [world["feed"]])
    discrepancy = TravelDiscrepancy.objects.get()
    _execute(station_officer, district.station, [world["feed"]], run=run)
    assert TravelDiscrepancy.objects.count() == 1
    travel_discrepancy_resolve(
        acting_user=station_officer,
        discrepancy=discrepancy,
        outcome=DiscrepancyStatus.CONCEALED,
        note="电话核实，承认1月20日自武汉返回",
    )
    again = _execute(station_officer, district.station, [world["feed"]])
    assert TravelDiscrepancy.objects.count() == 1
    discrepancy.refresh_from_db()
    assert discrepancy.status == DiscrepancyStatus.CONCEALED
    assert again.counts["discrepancies"] == 1


def test_accepting_a_review_item_raises_the_discrepancy_of_the_person(
    world,
    district,
    station_officer,
):
    twin_1, _twin_2 = world["twins"]
    _declared(twin_1)
    run = _execute(station_officer, district.station, [world["feed"]])
    assert not TravelDiscrepancy.objects.exists()
    result = ScreeningResult.objects.get(run=run, resident=twin_1, status=LinkStatus.REVIEW)
    match_review_accept(acting_user=station_officer, result=result)
    assert TravelDiscrepancy.objects.get().resident == twin_1
    run.refresh_from_db()
    assert run.counts["discrepancies"] == 1


def test_resolving_needs_an_outcome_and_a_note(district, station_officer):
    discrepancy = TravelDiscrepancyFactory(resident__household__unit=district.grid_a1)
    with pytest.raises(ValidationError) as raised:
        travel_discrepancy_resolve(
            acting_user=station_officer,
            discrepancy=discrepancy,
            outcome=DiscrepancyStatus.FEED_WRONG,
            note="  ",
        )
    assert "note" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        travel_discrepancy_resolve(
            acting_user=station_officer,
            discrepancy=discrepancy,
            outcome=DiscrepancyStatus.OPEN,
            note="核实",
        )
    assert "outcome" in raised.value.message_dict
    discrepancy.refresh_from_db()
    assert discrepancy.is_open
    travel_discrepancy_resolve(
        acting_user=station_officer,
        discrepancy=discrepancy,
        outcome=DiscrepancyStatus.FEED_WRONG,
        note="查验车票，当日在连",
    )
    discrepancy.refresh_from_db()
    assert discrepancy.status == DiscrepancyStatus.FEED_WRONG
    assert discrepancy.resolved_by == station_officer
    assert discrepancy.resolved_at is not None
    assert discrepancy.history.count() == 2


def test_resolving_another_communitys_discrepancy_is_a_404(district):
    discrepancy = TravelDiscrepancyFactory(resident__household__unit=district.grid_a1)
    officer_b = staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="ob")
    with pytest.raises(Http404):
        travel_discrepancy_resolve(
            acting_user=officer_b,
            discrepancy=discrepancy,
            outcome=DiscrepancyStatus.CONCEALED,
            note="x",
        )


# ---------------------------------------------------------------------------- pages


def test_the_detail_shows_both_sources_and_masks_the_resident(
    world,
    district,
    station_officer,
    client,
):
    _declared(world["wuhan"])
    _execute(station_officer, district.station, [world["feed"]])
    discrepancy = TravelDiscrepancy.objects.get()
    client.force_login(station_officer)
    page = client.get(discrepancy.get_absolute_url()).content.decode()
    assert "Declared at the door-to-door visit" in page
    assert "What the feed says" in page
    assert world["feed"].original_name in page
    assert world["wuhan"].masked_id_number in page
    assert world["wuhan"].id_number not in page
    assert "Save verification" in page


def test_the_resolve_form_refuses_an_empty_note_and_records_a_verification(
    district,
    station_officer,
    client,
):
    discrepancy = TravelDiscrepancyFactory(resident__household__unit=district.grid_a1)
    client.force_login(station_officer)
    url = discrepancy.get_absolute_url()
    response = client.post(url, {"outcome": DiscrepancyStatus.CONCEALED, "note": ""})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    discrepancy.refresh_from_db()
    assert discrepancy.is_open
    response = client.post(url, {"outcome": DiscrepancyStatus.CONCEALED, "note": "本人承认"})
    assert response.status_code == 302
    discrepancy.refresh_from_db()
    assert discrepancy.status == DiscrepancyStatus.CONCEALED
    page = client.get(url).content.decode()
    assert "本人承认" in page
    assert "Save verification" not in page


def test_the_list_filters_open_and_verified_and_by_community(district, station_officer, client):
    open_a = TravelDiscrepancyFactory(resident__household__unit=district.grid_a1)
    open_b = TravelDiscrepancyFactory(resident__household__unit=district.grid_b1)
    done_a = TravelDiscrepancyFactory(
        resident__household__unit=district.grid_a2,
        status=DiscrepancyStatus.FEED_WRONG,
        resolution_note="核实",
        resolved_at=timezone.now(),
    )
    client.force_login(station_officer)
    url = reverse("screening:discrepancy_list")

    def shown(**query):
        page = client.get(url, query).content.decode()
        return {d for d in (open_a, open_b, done_a) if d.get_absolute_url() in page}

    assert shown() == {open_a, open_b}
    assert shown(status="resolved") == {done_a}
    assert shown(status="all", community=district.community_a.pk) == {open_a, done_a}


def test_the_run_page_links_to_its_discrepancies(
    world,
    district,
    station_officer,
    client,
):
    _declared(world["wuhan"])
    run = _execute(station_officer, district.station, [world["feed"]])
    other = TravelDiscrepancyFactory(resident__household__unit=district.grid_a1)
    client.force_login(station_officer)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Concealed-travel discrepancies (1)" in page
    listed = client.get(reverse("screening:discrepancy_list"), {"run": run.pk}).content.decode()
    assert TravelDiscrepancy.objects.get(resident=world["wuhan"]).get_absolute_url() in listed
    assert other.get_absolute_url() not in listed


def test_the_list_takes_the_same_queries_for_few_or_many(
    district,
    station_officer,
    client,
    django_assert_max_num_queries,
):
    TravelDiscrepancyFactory(resident__household__unit=district.grid_a1)
    client.force_login(station_officer)
    url = reverse("screening:discrepancy_list")
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for grid in (district.grid_a1, district.grid_a2, district.grid_b1) * 3:
        TravelDiscrepancyFactory(resident__household__unit=grid)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["paginator"].count == 10
