"""Other systems pull a unit's figures per day: frozen days from their snapshots, today
counted live; only units of the caller's area."""

import datetime

import pytest
from django.utils import timezone

from outpost.briefing.tests.factories import snapshot_of
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.keypersons.tests.factories import key_person_in


@pytest.fixture
def leader(district):
    return staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")


def _url(unit, **query):
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/api/v1/briefing/units/{unit.pk}/figures" + (f"?{params}" if params else "")


def test_figures_per_day_frozen_then_live(client, district, leader):
    snapshot_of(district.station, days_ago=2, key_persons=4)
    snapshot_of(district.station, days_ago=1, key_persons=5)
    key_person_in(district.grid_a1)
    client.force_login(leader)

    answer = client.get(_url(district.station)).json()

    assert answer["unit"]["name"] == district.station.name
    days = [(day["day"], day["live"], day["figures"]["key_persons"]) for day in answer["days"]]
    today = timezone.localdate()
    assert days == [
        ((today - datetime.timedelta(days=2)).isoformat(), False, 4),
        ((today - datetime.timedelta(days=1)).isoformat(), False, 5),
        (today.isoformat(), True, 1),
    ]


def test_a_past_range_has_no_live_day(client, district, leader):
    snapshot_of(district.station, days_ago=3, key_persons=2)
    client.force_login(leader)
    until = timezone.localdate() - datetime.timedelta(days=1)

    answer = client.get(_url(district.station, until=until.isoformat())).json()

    assert [day["live"] for day in answer["days"]] == [False]


def test_bad_ranges_are_refused(client, district, leader):
    client.force_login(leader)
    today = timezone.localdate()
    backwards = client.get(
        _url(
            district.station,
            since=today.isoformat(),
            until=(today - datetime.timedelta(days=1)).isoformat(),
        )
    )
    too_long = client.get(
        _url(district.station, since=(today - datetime.timedelta(days=200)).isoformat())
    )
    assert backwards.status_code == 422 and too_long.status_code == 422


def test_a_unit_outside_the_area_is_a_404_and_grid_workers_get_403(
    client, district, officer_a, grid_worker_a1
):
    client.force_login(officer_a)
    assert client.get(_url(district.community_b)).status_code == 404
    assert client.get(_url(district.community_a)).status_code == 200
    client.force_login(grid_worker_a1)
    assert client.get(_url(district.grid_a1)).status_code == 403
