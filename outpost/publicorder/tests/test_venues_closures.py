"""Venues by kind and the closure campaign: counts per kind equal the lists, each step of a
venue's closure recorded with its day and officer, and a community sees only its venues."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.publicorder.choices import ClosureState
from outpost.publicorder.models import ClosureEntry, Venue
from outpost.publicorder.selectors import campaign_counts, campaign_entries, venue_counts_by_kind
from outpost.publicorder.services import campaign_create, closure_advance, venue_create
from outpost.publicorder.tests.factories import kind, venue_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(district):
    return staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")


@pytest.fixture
def campaign(district, leader):
    for code, n in (("bath", 3), ("hotel", 2), ("arcade", 1)):
        for _i in range(n):
            venue_in(district.grid_a1, kind_code=code)
    for _i in range(2):
        venue_in(district.grid_b1, kind_code="bath")
    return campaign_create(
        acting_user=leader, unit=district.station, name="停业劝导", started_on=timezone.localdate()
    )


def test_a_venue_keeps_its_responsible_persons_phone_encrypted_and_shows_it_masked(
    district, officer_a, client
):
    venue = venue_create(
        acting_user=officer_a,
        unit=district.grid_a1,
        kind=kind("ktv"),
        name="星光KTV",
        licence_number="KTV-001",
        responsible_person="王强",
        responsible_phone="139 1234 5678",
    )
    stored = Venue.objects.filter(pk=venue.pk).values_list("responsible_phone", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT responsible_phone FROM publicorder_venue WHERE id = %s", [venue.pk])
        raw = cursor.fetchone()[0]
    assert "13912345678" not in raw
    assert stored.get() == "13912345678"
    client.force_login(officer_a)
    page = client.get(venue.get_absolute_url()).content.decode()
    assert "139****5678" in page and "13912345678" not in page


def test_a_bad_phone_is_refused_naming_the_field_and_nothing_is_written(district, officer_a):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        venue_create(
            acting_user=officer_a,
            unit=district.grid_a1,
            kind=kind("bath"),
            name="海浪洗浴",
            responsible_phone="12345",
        )
    assert "responsible_phone" in caught.value.message_dict
    assert not Venue.objects.exists()


def test_counts_per_kind_equal_the_list_and_take_one_query(
    district, officer_a, campaign, django_assert_num_queries
):
    entries = campaign_entries(user=officer_a, campaign=campaign)
    with django_assert_num_queries(2):  # the grouped counts, then the kinds
        rows = campaign_counts(entries)
    by_kind = {row.kind.code: row.total for row in rows}
    assert by_kind == {"bath": 3, "hotel": 2, "arcade": 1}  # community B's two are not shown
    for row in rows:
        listed = campaign_entries(user=officer_a, campaign=campaign, kind=row.kind)
        assert listed.count() == row.total
        assert row.by_state[ClosureState.TO_VISIT] == row.total
    venues = Venue.objects.visible_to(officer_a)
    counts = {row["kind"].code: row["count"] for row in venue_counts_by_kind(venues)}
    assert counts["bath"] == venues.filter(kind__code="bath").count() == 3


def test_the_station_sees_every_venue_of_its_campaign(campaign, leader):
    rows = campaign_counts(campaign_entries(user=leader, campaign=campaign))
    assert sum(row.total for row in rows) == 8


def test_a_venue_moves_one_step_at_a_time_with_its_day_and_officer_audited(campaign, officer_a):
    entry = campaign_entries(user=officer_a, campaign=campaign).first()
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    for expected in (
        ClosureState.PERSUADED,
        ClosureState.CLOSED,
        ClosureState.INSPECTED,
        ClosureState.REOPENED,
    ):
        entry = closure_advance(acting_user=officer_a, entry=entry, on=yesterday)
        assert entry.state == expected
    entry.refresh_from_db()
    assert entry.officer == officer_a
    assert entry.persuaded_on == entry.closed_on == entry.reopened_on == yesterday
    history = list(entry.history.order_by("history_date").values_list("state", "history_user"))
    assert [state for state, _user in history] == [
        ClosureState.TO_VISIT,
        ClosureState.PERSUADED,
        ClosureState.CLOSED,
        ClosureState.INSPECTED,
        ClosureState.REOPENED,
    ]
    assert {user for _state, user in history[1:]} == {officer_a.pk}
    with translation.override("en"), pytest.raises(ValidationError):
        closure_advance(acting_user=officer_a, entry=entry, on=today)


def test_a_step_dated_in_the_future_or_before_the_last_one_is_refused(campaign, officer_a):
    entry = campaign_entries(user=officer_a, campaign=campaign).first()
    today = timezone.localdate()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        closure_advance(acting_user=officer_a, entry=entry, on=today + datetime.timedelta(days=1))
    assert "on" in caught.value.message_dict
    closure_advance(acting_user=officer_a, entry=entry, on=today)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        closure_advance(acting_user=officer_a, entry=entry, on=today - datetime.timedelta(days=2))
    assert "on" in caught.value.message_dict
    entry.refresh_from_db()
    assert entry.state == ClosureState.PERSUADED


def test_the_campaign_page_shows_counts_that_match_its_rows_and_the_step_form_works(
    client, campaign, officer_a
):
    client.force_login(officer_a)
    page = client.get(campaign.get_absolute_url())
    assert page.status_code == 200
    counts = {row.kind.code: row.total for row in page.context["counts"]}
    assert counts == {"bath": 3, "hotel": 2, "arcade": 1}
    assert page.context["entries"].count() == 6
    entry = page.context["entries"].first()
    url = reverse("publicorder:closure_advance", args=[entry.pk])
    response = client.post(url, {"on": timezone.localdate().isoformat(), "note": "已劝导"})
    assert response.status_code == 302
    assert ClosureEntry.objects.get(pk=entry.pk).state == ClosureState.PERSUADED
    bad = client.post(url, {"on": "2999-01-01"})
    assert bad.status_code == 422
    assert ClosureEntry.objects.get(pk=entry.pk).state == ClosureState.PERSUADED


def test_the_venue_list_counts_per_kind_the_rows_it_lists(client, campaign, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("publicorder:venue_list"))
    counts = {row["kind"].code: row["count"] for row in page.context["kind_counts"]}
    assert counts["bath"] == 3 and counts["sports"] == 0
    bath = kind("bath")
    filtered = client.get(reverse("publicorder:venue_list"), {"kind": bath.pk})
    assert filtered.context["paginator"].count == 3
