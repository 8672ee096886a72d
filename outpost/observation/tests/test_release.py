"""Release from observation (解除观察) is one step: the observation ends with its reason,
the person leaves their room (cleaned next) and the key person's state follows; medical
staff start the observation of a key person who is only identified."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.keypersons.choices import KeyPersonStatus
from outpost.keypersons.services import key_person_status_change
from outpost.keypersons.tests.factories import key_person_in
from outpost.observation.choices import EndReason, EpisodeKind, EpisodeStatus, RoomStatus
from outpost.observation.selectors import open_stay
from outpost.observation.services.episodes import (
    episode_end,
    episode_release_confirm,
    episode_start,
)
from outpost.observation.services.sites import stay_check_in
from outpost.observation.tests.factories import (
    IsolationSiteFactory,
    RoomFactory,
    centralized_episode_in,
    episode_in,
)

pytestmark = pytest.mark.usefixtures("english")

DAY = datetime.timedelta(days=1)


@pytest.fixture
def site(district):
    return IsolationSiteFactory(unit=district.community_a)


@pytest.fixture
def doctor(district):
    return staff_user(role=Role.MEDICAL_STAFF, unit=district.community_a, username="doctor_a")


def test_a_completed_release_empties_the_room_and_releases_the_key_person(
    district, officer_a, site
):
    room = RoomFactory(site=site)
    episode = centralized_episode_in(district.grid_a1, site=site)
    stay_check_in(acting_user=officer_a, episode=episode, room=room)

    episode = episode_end(acting_user=officer_a, episode=episode, reason=EndReason.COMPLETED)

    assert episode.status == EpisodeStatus.ENDED
    assert episode.key_person.status == KeyPersonStatus.RELEASED  # as the page reports it
    assert open_stay(episode) is None
    room.refresh_from_db()
    assert room.status == RoomStatus.CLEANING
    key_person = episode.key_person
    key_person.refresh_from_db()
    assert key_person.status == KeyPersonStatus.RELEASED
    assert key_person.closed_on == timezone.localdate()
    assert key_person.closed_reason == "Observation completed"


def test_a_release_to_hospital_keeps_the_key_person_under_management(district, officer_a):
    episode = episode_in(district.grid_a1)
    episode_end(acting_user=officer_a, episode=episode, reason=EndReason.HOSPITAL)
    episode.key_person.refresh_from_db()
    assert episode.key_person.status == KeyPersonStatus.UNDER_MANAGEMENT


def test_a_release_of_someone_moved_elsewhere_transfers_the_key_person(district, officer_a):
    episode = episode_in(district.grid_a1)
    episode_end(acting_user=officer_a, episode=episode, reason=EndReason.MOVED, note="回沈阳")
    episode.key_person.refresh_from_db()
    assert episode.key_person.status == KeyPersonStatus.TRANSFERRED
    assert episode.key_person.closed_reason == "Moved: 回沈阳"


def test_the_key_persons_state_after_a_release_may_be_chosen(district, officer_a):
    episode = episode_in(district.grid_a1)
    episode_end(
        acting_user=officer_a,
        episode=episode,
        reason=EndReason.OTHER,
        key_person_status=KeyPersonStatus.MOVED_AWAY,
    )
    episode.key_person.refresh_from_db()
    assert episode.key_person.status == KeyPersonStatus.MOVED_AWAY


def test_a_release_to_an_unknown_state_changes_nothing(district, officer_a, site):
    room = RoomFactory(site=site)
    episode = centralized_episode_in(district.grid_a1, site=site)
    stay_check_in(acting_user=officer_a, episode=episode, room=room)
    with pytest.raises(ValidationError) as exc:
        episode_end(
            acting_user=officer_a,
            episode=episode,
            reason=EndReason.COMPLETED,
            key_person_status=KeyPersonStatus.IDENTIFIED,
        )
    assert exc.value.message_dict["key_person_status"] == ["Choose the key person's state."]
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE
    assert open_stay(episode).room == room


def test_confirming_a_due_release_releases_the_key_person(district, officer_a):
    episode = episode_in(
        district.grid_a1,
        start_date=timezone.localdate() - 15 * DAY,
        planned_end_date=timezone.localdate() - DAY,
        status=EpisodeStatus.RELEASE_DUE,
    )
    episode_release_confirm(acting_user=officer_a, episode=episode)
    episode.key_person.refresh_from_db()
    assert episode.key_person.status == KeyPersonStatus.RELEASED


def test_medical_staff_release_a_person_and_the_key_person_follows(district, doctor, site):
    episode = centralized_episode_in(district.grid_a1, site=site)
    episode_end(acting_user=doctor, episode=episode, reason=EndReason.COMPLETED)
    episode.key_person.refresh_from_db()
    assert episode.key_person.status == KeyPersonStatus.RELEASED


def test_medical_staff_start_the_observation_of_an_identified_key_person(district, doctor, site):
    key_person = key_person_in(district.grid_a1, identified_on=timezone.localdate() - DAY)
    assert key_person.status == KeyPersonStatus.IDENTIFIED

    episode = episode_start(
        acting_user=doctor,
        key_person=key_person,
        kind=EpisodeKind.CENTRALIZED,
        start_date=timezone.localdate(),
        site=site,
    )

    assert episode.is_open
    key_person.refresh_from_db()
    assert key_person.status == KeyPersonStatus.UNDER_MANAGEMENT
    assert key_person.managed_from == timezone.localdate()
    assert key_person.history.latest().history_user == doctor


def test_medical_staff_still_may_not_change_a_key_persons_state_by_hand(district, doctor):
    key_person = key_person_in(district.grid_a1, identified_on=timezone.localdate() - DAY)
    with pytest.raises(PermissionDenied):
        key_person_status_change(
            acting_user=doctor, key_person=key_person, status=KeyPersonStatus.UNDER_MANAGEMENT
        )
    key_person.refresh_from_db()
    assert key_person.status == KeyPersonStatus.IDENTIFIED


def test_medical_staff_start_an_identified_persons_observation_from_its_page(
    client, district, doctor, site
):
    key_person = key_person_in(district.grid_a1, identified_on=timezone.localdate() - DAY)
    client.force_login(doctor)

    response = client.post(
        reverse("observation:episode_start", args=[key_person.pk]),
        {
            "kind": EpisodeKind.CENTRALIZED,
            "start_date": timezone.localdate().isoformat(),
            "site": site.pk,
        },
    )

    assert response.status_code == 302
    key_person.refresh_from_db()
    assert key_person.status == KeyPersonStatus.UNDER_MANAGEMENT
    assert key_person.episodes.get().is_open
