"""Isolation sites: rooms, their states, who stays where, and a room never given to two
people at once."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.http import Http404
from django.utils import timezone, translation

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.observation.choices import (
    EndReason,
    EpisodeKind,
    EpisodeStatus,
    RoomStatus,
    SiteStaffRole,
)
from outpost.observation.models import IsolationSite, Room, RoomStay, SiteStaff
from outpost.observation.selectors import ROOM_OCCUPIED, open_stay, site_occupancy
from outpost.observation.services import sites
from outpost.observation.services.episodes import episode_end
from outpost.observation.services.sites import (
    room_status_set,
    rooms_add,
    site_create,
    site_staff_add,
    stay_check_in,
    stay_check_out,
    stay_move,
)
from outpost.observation.tests.factories import (
    IsolationSiteFactory,
    RoomFactory,
    centralized_episode_in,
    episode_in,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def site(district):
    return IsolationSiteFactory(unit=district.community_a)


@pytest.fixture
def officer_b(district):
    return staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="officer_b")


def _person(district, site):
    return centralized_episode_in(district.grid_a1, site=site)


# ---------------------------------------------------------------------------- sites and rooms


def test_an_officer_sets_up_a_site_of_their_community(district, officer_a):
    site = site_create(
        acting_user=officer_a, unit=district.community_a, name=" 滨海酒店 ", address="长江路1号"
    )
    assert site.name == "滨海酒店"
    assert site.history.get().history_user == officer_a


def test_a_site_of_a_unit_outside_the_jurisdiction_is_refused(district, officer_a):
    with pytest.raises(ValidationError) as exc:
        site_create(acting_user=officer_a, unit=district.community_b, name="滨海酒店")
    assert exc.value.message_dict["unit"] == ["Choose a unit of your jurisdiction."]
    assert not IsolationSite.objects.exists()


def test_a_grid_worker_does_not_set_up_sites(district, grid_worker_a1):
    with pytest.raises(PermissionDenied):
        site_create(acting_user=grid_worker_a1, unit=district.grid_a1, name="滨海酒店")


def test_rooms_are_added_free(officer_a, site):
    rooms = rooms_add(acting_user=officer_a, site=site, floor="3", numbers=["301", " 302 ", ""])
    assert [(room.floor, room.number, room.status) for room in rooms] == [
        ("3", "301", RoomStatus.FREE),
        ("3", "302", RoomStatus.FREE),
    ]


def test_a_room_number_the_site_has_is_refused_naming_it(officer_a, site):
    RoomFactory(site=site, number="301")
    with pytest.raises(ValidationError) as exc:
        rooms_add(acting_user=officer_a, site=site, floor="3", numbers=["302", "301"])
    assert exc.value.message_dict["numbers"] == ["Room 301 already exists at this site."]
    assert list(site.rooms.values_list("number", flat=True)) == ["301"]


def test_a_room_number_given_twice_is_refused_naming_it(officer_a, site):
    with pytest.raises(ValidationError) as exc:
        rooms_add(acting_user=officer_a, site=site, floor="3", numbers=["302", "302"])
    assert exc.value.message_dict["numbers"] == ["Room 302 is given twice."]
    assert not site.rooms.exists()


def test_the_same_number_at_another_site_is_fine(district, officer_a, site):
    RoomFactory(site=IsolationSiteFactory(unit=district.community_a), number="301")
    assert len(rooms_add(acting_user=officer_a, site=site, floor="3", numbers=["301"])) == 1


# ---------------------------------------------------------------------------- check-in


def test_a_person_in_centralized_isolation_checks_into_a_free_room(district, officer_a, site):
    room = RoomFactory(site=site)
    episode = _person(district, site)
    stay = stay_check_in(acting_user=officer_a, episode=episode, room=room)
    assert open_stay(episode) == stay
    assert stay.checked_in_by == officer_a
    assert stay.history.get().history_user == officer_a


def test_a_room_of_another_site_is_refused(district, officer_a, site):
    room = RoomFactory(site=IsolationSiteFactory(unit=district.community_a))
    with pytest.raises(ValidationError) as exc:
        stay_check_in(acting_user=officer_a, episode=_person(district, site), room=room)
    assert exc.value.message_dict["room"] == ["Choose a room of the person's isolation site."]
    assert not RoomStay.objects.exists()


def test_an_occupied_room_is_refused(district, officer_a, site):
    room = RoomFactory(site=site)
    stay_check_in(acting_user=officer_a, episode=_person(district, site), room=room)
    with pytest.raises(ValidationError) as exc:
        stay_check_in(acting_user=officer_a, episode=_person(district, site), room=room)
    assert exc.value.message_dict["room"] == ["This room is already occupied."]
    assert RoomStay.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (RoomStatus.CLEANING, "This room is being cleaned."),
        (RoomStatus.OUT_OF_SERVICE, "This room is out of service."),
    ],
)
def test_a_room_not_free_is_refused(district, officer_a, site, status, message):
    room = RoomFactory(site=site, status=status)
    with pytest.raises(ValidationError) as exc:
        stay_check_in(acting_user=officer_a, episode=_person(district, site), room=room)
    assert exc.value.message_dict["room"] == [message]


def test_only_centralized_isolation_is_given_a_room(district, officer_a, site):
    episode = episode_in(district.grid_a1, kind=EpisodeKind.HOME_ISOLATION)
    with pytest.raises(ValidationError) as exc:
        stay_check_in(acting_user=officer_a, episode=episode, room=RoomFactory(site=site))
    assert exc.value.message_dict["episode"] == [
        "Only people in centralized isolation are given a room."
    ]


def test_an_ended_episode_is_not_given_a_room(district, officer_a, site):
    episode = _person(district, site)
    episode_end(acting_user=officer_a, episode=episode, reason=EndReason.OTHER)
    with pytest.raises(ValidationError) as exc:
        stay_check_in(acting_user=officer_a, episode=episode, room=RoomFactory(site=site))
    assert exc.value.message_dict["episode"] == ["This observation has ended."]


def test_a_person_with_a_room_is_moved_not_checked_in_again(district, officer_a, site):
    episode = _person(district, site)
    stay_check_in(acting_user=officer_a, episode=episode, room=RoomFactory(site=site))
    with pytest.raises(ValidationError) as exc:
        stay_check_in(acting_user=officer_a, episode=episode, room=RoomFactory(site=site))
    assert exc.value.message_dict["episode"] == [
        "This person already has a room: move them instead."
    ]


def test_two_people_given_one_room_at_the_same_moment_the_database_refuses_the_second(
    district, officer_a, site, monkeypatch
):
    """The first person's stay is committed between the second check-in's look at the room
    and its insert: the pre-check sees a free room, the unique index refuses the row, and
    the second person is told the room is taken, in a transaction still usable."""
    room = RoomFactory(site=site)
    first, second = _person(district, site), _person(district, site)
    RoomStay.objects.create(
        episode=first, room=room, checked_in_at=timezone.now(), checked_in_by=officer_a
    )
    monkeypatch.setattr(sites, "_room_occupied", lambda room: False)

    with pytest.raises(ValidationError) as exc:
        stay_check_in(acting_user=officer_a, episode=second, room=room)

    assert exc.value.message_dict == {"room": ["This room is already occupied."]}
    assert list(RoomStay.objects.filter(room=room).values_list("episode", flat=True)) == [first.pk]
    assert open_stay(second) is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writer at a time anyway"
)
def test_two_check_ins_racing_for_one_room_on_postgresql_give_it_to_one(district):
    officer = staff_user(role=Role.POLICE_OFFICER, unit=district.community_a)
    site = IsolationSiteFactory(unit=district.community_a)
    room = RoomFactory(site=site)
    episodes = [_person(district, site) for _n in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def check_in(episode):
        # The active language is per thread: each starts in the default, Chinese.
        with translation.override("en"):
            try:
                barrier.wait(timeout=10)
                outcomes.append(stay_check_in(acting_user=officer, episode=episode, room=room))
            except ValidationError as exc:
                outcomes.append(exc.message_dict)
            finally:
                connections.close_all()

    threads = [threading.Thread(target=check_in, args=(episode,)) for episode in episodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes, key=lambda outcome: isinstance(outcome, dict)) == [
        RoomStay.objects.get(room=room),
        {"room": ["This room is already occupied."]},
    ]


# ---------------------------------------------------------------------------- move and check-out


def test_a_move_frees_the_old_room_for_cleaning(district, officer_a, site):
    old_room, new_room = RoomFactory(site=site), RoomFactory(site=site)
    episode = _person(district, site)
    first = stay_check_in(acting_user=officer_a, episode=episode, room=old_room)
    stay = stay_move(acting_user=officer_a, episode=episode, room=new_room)
    assert open_stay(episode) == stay
    assert stay.room == new_room
    first.refresh_from_db()
    assert first.checked_out_at is not None
    old_room.refresh_from_db()
    assert old_room.status == RoomStatus.CLEANING


def test_a_move_into_an_occupied_room_is_refused_and_the_person_stays(district, officer_a, site):
    room, taken = RoomFactory(site=site), RoomFactory(site=site)
    episode = _person(district, site)
    stay = stay_check_in(acting_user=officer_a, episode=episode, room=room)
    stay_check_in(acting_user=officer_a, episode=_person(district, site), room=taken)
    with pytest.raises(ValidationError) as exc:
        stay_move(acting_user=officer_a, episode=episode, room=taken)
    assert exc.value.message_dict["room"] == ["This room is already occupied."]
    assert open_stay(episode) == stay
    room.refresh_from_db()
    assert room.status == RoomStatus.FREE


def test_a_check_out_sends_the_room_to_cleaning(district, officer_a, site):
    room = RoomFactory(site=site)
    episode = _person(district, site)
    stay_check_in(acting_user=officer_a, episode=episode, room=room)
    stay = stay_check_out(acting_user=officer_a, episode=episode)
    assert stay.checked_out_by == officer_a
    room.refresh_from_db()
    assert room.status == RoomStatus.CLEANING
    assert open_stay(episode) is None


def test_a_cleaned_room_is_free_again(officer_a, site):
    room = RoomFactory(site=site, status=RoomStatus.CLEANING)
    room = room_status_set(acting_user=officer_a, room=room, status=RoomStatus.FREE)
    assert room.status == RoomStatus.FREE
    assert room.history.first().history_user == officer_a


def test_a_room_state_is_not_set_while_someone_stays_in_it(district, officer_a, site):
    room = RoomFactory(site=site)
    stay_check_in(acting_user=officer_a, episode=_person(district, site), room=room)
    with pytest.raises(ValidationError) as exc:
        room_status_set(acting_user=officer_a, room=room, status=RoomStatus.OUT_OF_SERVICE)
    assert "status" in exc.value.message_dict
    room.refresh_from_db()
    assert room.status == RoomStatus.FREE


# ---------------------------------------------------------------------------- board and staff


def test_the_occupancy_board_shows_each_rooms_state_and_occupant(
    district, officer_a, site, django_assert_num_queries
):
    free = RoomFactory(site=site, floor="3", number="301")
    taken = RoomFactory(site=site, floor="3", number="302")
    cleaning = RoomFactory(site=site, floor="3", number="303", status=RoomStatus.CLEANING)
    closed = RoomFactory(site=site, floor="4", number="401", status=RoomStatus.OUT_OF_SERVICE)
    episode = _person(district, site)
    stay_check_in(acting_user=officer_a, episode=episode, room=taken)

    with django_assert_num_queries(2):
        board = site_occupancy(site)
        names = [row["episode"].key_person.display_name for row in board if row["episode"]]

    assert [(row["room"], row["state"]) for row in board] == [
        (free, RoomStatus.FREE),
        (taken, ROOM_OCCUPIED),
        (cleaning, RoomStatus.CLEANING),
        (closed, RoomStatus.OUT_OF_SERVICE),
    ]
    assert board[1]["episode"] == episode
    assert names == [episode.key_person.display_name]


def test_medical_staff_go_on_duty_at_a_site(district, officer_a, site):
    nurse = staff_user(role=Role.MEDICAL_STAFF, unit=district.community_a)
    today = timezone.localdate()
    duty = site_staff_add(
        acting_user=officer_a,
        site=site,
        user=nurse,
        role=SiteStaffRole.MEDICAL,
        on_duty_from=today,
    )
    assert (duty.user, duty.role, duty.on_duty_until) == (nurse, "medical", None)
    with pytest.raises(ValidationError) as exc:
        site_staff_add(
            acting_user=officer_a,
            site=site,
            user=nurse,
            role=SiteStaffRole.MEDICAL,
            on_duty_from=today,
            on_duty_until=today - datetime.timedelta(days=1),
        )
    assert "on_duty_until" in exc.value.message_dict


# ---------------------------------------------------------------------------- scope


def test_an_officer_of_another_community_changes_nothing_at_the_site(district, officer_b, site):
    room = RoomFactory(site=site, status=RoomStatus.CLEANING)
    episode = _person(district, site)
    with pytest.raises(Http404):
        rooms_add(acting_user=officer_b, site=site, floor="5", numbers=["501"])
    with pytest.raises(Http404):
        room_status_set(acting_user=officer_b, room=room, status=RoomStatus.FREE)
    with pytest.raises(Http404):
        site_staff_add(
            acting_user=officer_b,
            site=site,
            user=officer_b,
            role=SiteStaffRole.OFFICER,
            on_duty_from=timezone.localdate(),
        )
    room_free = RoomFactory(site=site)
    with pytest.raises((Http404, PermissionDenied)):
        stay_check_in(acting_user=officer_b, episode=episode, room=room_free)
    assert list(Room.objects.filter(site=site).order_by("pk").values_list("status", flat=True)) == [
        RoomStatus.CLEANING,
        RoomStatus.FREE,
    ]
    assert not RoomStay.objects.exists()
    assert not SiteStaff.objects.exists()
    assert episode.status == EpisodeStatus.ACTIVE


def test_an_officer_of_another_community_cannot_move_or_check_out(
    district, officer_a, officer_b, site
):
    room = RoomFactory(site=site)
    episode = _person(district, site)
    stay_check_in(acting_user=officer_a, episode=episode, room=room)
    with pytest.raises(Http404):
        stay_move(acting_user=officer_b, episode=episode, room=RoomFactory(site=site))
    with pytest.raises(Http404):
        stay_check_out(acting_user=officer_b, episode=episode)
    assert open_stay(episode).room == room
    assert RoomStay.objects.count() == 1
