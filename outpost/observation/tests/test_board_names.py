"""The occupancy board names each occupant in full to the staff on duty at the site, who
call them by name, and masked to everyone else."""

import datetime

import pytest
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.masking import mask_name
from outpost.core.tests.factories import staff_user
from outpost.observation.choices import SiteStaffRole
from outpost.observation.models import RoomStay, SiteStaff
from outpost.observation.tests.factories import (
    IsolationSiteFactory,
    RoomFactory,
    centralized_episode_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def occupied(district, officer_a):
    site = IsolationSiteFactory(unit=district.community_a)
    episode = centralized_episode_in(district.grid_a1, site=site)
    RoomStay.objects.create(
        episode=episode,
        room=RoomFactory(site=site, number="301"),
        checked_in_at=timezone.now(),
        checked_in_by=officer_a,
    )
    return site, episode.key_person.display_name


def _board(client, user, site) -> str:
    client.force_login(user)
    page = client.get(site.get_absolute_url()).content.decode()
    return page[page.index('class="card board"') : page.index('id="staff"')]


def _on_duty(site, user, *, since_days=0, until=None):
    today = timezone.localdate()
    return SiteStaff.objects.create(
        site=site,
        user=user,
        role=SiteStaffRole.OFFICER,
        on_duty_from=today - datetime.timedelta(days=since_days),
        on_duty_until=until,
    )


def test_the_officer_on_duty_at_the_site_sees_full_names(client, district, occupied):
    site, name = occupied
    duty_officer = staff_user(role=Role.POLICE_OFFICER, unit=district.community_a, username="d")
    _on_duty(site, duty_officer)

    assert name in _board(client, duty_officer, site)


def test_an_officer_not_on_duty_there_sees_names_masked(client, officer_a, occupied):
    site, name = occupied

    board = _board(client, officer_a, site)

    assert mask_name(name) in board
    assert name not in board


def test_a_duty_that_ended_yesterday_no_longer_shows_full_names(client, officer_a, occupied):
    site, name = occupied
    _on_duty(site, officer_a, since_days=5, until=timezone.localdate() - datetime.timedelta(1))

    assert name not in _board(client, officer_a, site)


def test_duty_at_another_site_does_not_show_this_sites_names(client, district, officer_a, occupied):
    site, name = occupied
    _on_duty(IsolationSiteFactory(unit=district.community_a), officer_a)

    assert name not in _board(client, officer_a, site)
