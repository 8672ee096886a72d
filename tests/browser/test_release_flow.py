"""Release from observation at the isolation hotel, on a phone: one confirmation ends the
observation, empties the room (to be cleaned) and releases the key person."""

import datetime

import pytest
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.keypersons.choices import KeyPersonStatus
from outpost.keypersons.tests.factories import managed_key_person_in
from outpost.observation.choices import EpisodeKind, EpisodeStatus, RoomStatus
from outpost.observation.models import Room
from outpost.observation.services.episodes import episode_start
from outpost.observation.services.sites import rooms_add, site_create, stay_check_in
from tests.browser.support import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_hotel_release_in_one_action_on_a_phone(browser, live_server, district, screenshot):
    officer = staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="site-officer")
    site = site_create(acting_user=officer, unit=district.station, name="海景酒店隔离点")
    rooms_add(acting_user=officer, site=site, floor="3", numbers=["301"])
    key_person = managed_key_person_in(district.grid_a1, days=14)
    episode = episode_start(
        acting_user=officer,
        key_person=key_person,
        kind=EpisodeKind.CENTRALIZED,
        start_date=timezone.localdate() - datetime.timedelta(days=13),
        site=site,
    )
    room = Room.objects.get(site=site, number="301")
    stay_check_in(acting_user=officer, episode=episode, room=room)

    context, page = log_in(browser, live_server, officer, 360)
    page.goto(f"{live_server.url}{episode.get_absolute_url()}")
    page.click("[data-testid=release]")
    page.wait_for_url("**/end/")
    page.check('input[name="reason"][value="completed"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "release-form-360")
    page.click("form button[type=submit].primary")
    page.wait_for_url(f"**{episode.get_absolute_url()}")
    assert "已解除管控" in page.text_content(".messages")
    screenshot(page, "release-done-360")

    episode.refresh_from_db()
    room.refresh_from_db()
    key_person.refresh_from_db()
    assert episode.status == EpisodeStatus.ENDED
    assert room.status == RoomStatus.CLEANING
    assert key_person.status == KeyPersonStatus.RELEASED
    # Nobody is left waiting for a room at the hotel.
    page.goto(f"{live_server.url}{site.get_absolute_url()}")
    assert page.locator("#awaiting").count() == 0
    context.close()
