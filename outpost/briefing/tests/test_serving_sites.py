"""The isolation rooms of a site count for every unit the site serves: a station's hotel
shows in an office's and a community's figures, and its rooms are their list (rooms hold
no personal data); a community's own site does not count for its sister community."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outpost.briefing.figures import subtree_figures
from outpost.briefing.services import snapshots_take
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.observation.models import RoomStay
from outpost.observation.tests.factories import (
    IsolationSiteFactory,
    RoomFactory,
    centralized_episode_in,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def hotel(district):
    """A station hotel of three rooms, one occupied by a person of grid A1."""
    site = IsolationSiteFactory(unit=district.station)
    rooms = [RoomFactory(site=site) for _n in range(3)]
    episode = centralized_episode_in(district.grid_a1, site=site)
    RoomStay.objects.create(
        episode=episode,
        room=rooms[0],
        checked_in_at=timezone.now(),
        checked_in_by=episode.created_by,
    )
    return site


def test_the_station_hotel_counts_for_every_unit_below(district, hotel):
    RoomFactory(site=IsolationSiteFactory(unit=district.community_a))  # A's own site

    figures = subtree_figures(root=district.station, day=timezone.localdate())

    station, office = figures[district.station.pk], figures[district.office.pk]
    a, b = figures[district.community_a.pk], figures[district.community_b.pk]
    assert (station["rooms_occupied"], station["rooms_total"]) == (1, 4)
    assert (office["rooms_occupied"], office["rooms_total"]) == (1, 4)
    assert (a["rooms_occupied"], a["rooms_total"]) == (1, 4)
    assert (b["rooms_occupied"], b["rooms_total"]) == (1, 3)  # not A's own site
    assert figures[district.grid_b1.pk]["rooms_total"] == 3


def test_counted_from_the_office_down_the_hotel_above_still_counts(district, hotel):
    figures = subtree_figures(root=district.office, day=timezone.localdate())

    assert figures[district.office.pk]["rooms_total"] == 3
    assert figures[district.grid_b1.pk]["rooms_occupied"] == 1


def test_an_officer_below_sees_the_hotels_rooms_behind_the_figure(
    client, district, hotel, officer_a
):
    client.force_login(officer_a)
    url = reverse("briefing:figure_rows")

    dashboard = client.get(reverse("briefing:dashboard")).content.decode()
    page = client.get(url, {"key": "rooms_total"})

    assert 'data-figure="rooms_total"' in dashboard
    assert page.status_code == 200
    assert page.context["page_obj"].paginator.count == 3
    assert hotel.name in page.content.decode()


def test_a_frozen_day_keeps_the_rooms_that_served_it(client, district, hotel, officer_a):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    snapshots_take(day=yesterday)
    client.force_login(officer_a)

    page = client.get(
        reverse("briefing:figure_rows"), {"key": "rooms_occupied", "day": yesterday.isoformat()}
    )

    assert page.context["page_obj"].paginator.count == 1


def test_the_sister_communitys_officer_does_not_see_a_communitys_own_site(client, district):
    IsolationSiteFactory(unit=district.community_a, name="甲社区隔离点")
    RoomFactory(site=district.community_a.isolation_sites.get())
    officer_b = staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="ob")
    client.force_login(officer_b)

    page = client.get(reverse("briefing:figure_rows"), {"key": "rooms_total"})

    assert page.context["page_obj"].paginator.count == 0
    assert "甲社区隔离点" not in page.content.decode()
