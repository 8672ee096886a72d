"""Isolation site pages: the list, the occupancy board, rooms (added from ranges, their
states), check-in, move and check-out, the staff on duty; and the grouped navigation."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.observation.choices import RoomStatus, SiteStaffRole
from outpost.observation.forms import parse_room_numbers
from outpost.observation.models import IsolationSite, Room, RoomStay, SiteStaff
from outpost.observation.tests.factories import (
    IsolationSiteFactory,
    RoomFactory,
    centralized_episode_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _stay(episode, room, user):
    return RoomStay.objects.create(
        episode=episode, room=room, checked_in_at=timezone.now(), checked_in_by=user
    )


def _count(page: str, state: str) -> int:
    return int(re.search(rf'data-count="{state}">(\d+)<', page).group(1))


def _states(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-room="([^"]+)" data-state="([^"]+)"', page))


@pytest.fixture
def site(district):
    return IsolationSiteFactory(unit=district.community_a, name="甲社区隔离酒店")


# ---------------------------------------------------------------------------- list and board


def test_the_site_list_shows_the_sites_of_the_users_jurisdiction(client, officer_a, district, site):
    IsolationSiteFactory(unit=district.community_b, name="乙社区隔离酒店")
    client.force_login(officer_a)

    page = client.get(reverse("observation:site_list")).content.decode()

    assert site.name in page
    assert "乙社区隔离酒店" not in page


def test_the_board_shows_each_rooms_state_and_the_counts(client, officer_a, district, site):
    for number in ("301", "302", "303"):
        RoomFactory(site=site, floor="3", number=number)
    RoomFactory(site=site, floor="3", number="304", status=RoomStatus.CLEANING)
    RoomFactory(site=site, floor="12", number="1201", status=RoomStatus.OUT_OF_SERVICE)
    episode = centralized_episode_in(district.grid_a1, site=site)
    _stay(episode, Room.objects.get(number="302"), officer_a)
    client.force_login(officer_a)

    page = client.get(site.get_absolute_url()).content.decode()

    counts = {state: _count(page, state) for state in ("total", "free", "occupied", "cleaning")}
    assert counts == {"total": 5, "free": 2, "occupied": 1, "cleaning": 1}
    assert _count(page, "out_of_service") == 1
    assert _states(page) == {
        "301": "free",
        "302": "occupied",
        "303": "free",
        "304": "cleaning",
        "1201": "out_of_service",
    }
    # Floors in natural order: 3 before 12.
    assert page.index("Floor 3") < page.index("Floor 12")


def test_the_board_shows_the_occupant_masked(client, officer_a, district, site):
    room = RoomFactory(site=site, number="301")
    episode = centralized_episode_in(district.grid_a1, site=site)
    _stay(episode, room, officer_a)
    name = episode.key_person.display_name
    client.force_login(officer_a)

    page = client.get(site.get_absolute_url()).content.decode()
    board = page[page.index('class="card board"') : page.index('id="staff"')]

    assert name[0] + "*" * (len(name) - 1) in board
    assert name not in board
    assert f'href="{episode.get_absolute_url()}"' in board


def test_the_board_refreshes_as_a_fragment_for_htmx(client, officer_a, site):
    RoomFactory(site=site)
    client.force_login(officer_a)

    response = client.get(site.get_absolute_url(), HTTP_HX_REQUEST="true")

    assert "<html" not in response.content.decode()
    assert 'data-count="total"' in response.content.decode()


def test_another_communitys_site_is_not_found(client, officer_a, district):
    other = IsolationSiteFactory(unit=district.community_b)
    client.force_login(officer_a)

    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("observation:rooms_add", args=[other.pk])).status_code == 404


# ---------------------------------------------------------------------------- rooms


def test_rooms_are_added_from_numbers_and_ranges(client, officer_a, site):
    client.force_login(officer_a)

    response = client.post(
        reverse("observation:rooms_add", args=[site.pk]), {"floor": "3", "numbers": "301-305, 310"}
    )

    assert response.status_code == 302
    assert sorted(site.rooms.values_list("number", flat=True)) == [
        "301",
        "302",
        "303",
        "304",
        "305",
        "310",
    ]


def test_a_room_number_the_site_has_is_refused_and_nothing_added(client, officer_a, site):
    RoomFactory(site=site, number="303")
    client.force_login(officer_a)

    response = client.post(
        reverse("observation:rooms_add", args=[site.pk]), {"floor": "3", "numbers": "301-305"}
    )

    assert response.status_code == 422
    assert "Room 303 already exists at this site." in response.content.decode()
    assert site.rooms.count() == 1


def test_a_grid_worker_cannot_add_rooms(client, grid_worker_a1, district):
    site = IsolationSiteFactory(unit=district.grid_a1)
    client.force_login(grid_worker_a1)

    url = reverse("observation:rooms_add", args=[site.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"floor": "3", "numbers": "301"}).status_code == 403
    assert not site.rooms.exists()


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("301-303, 325", ["301", "302", "303", "325"]),
        ("301，302、302 303", ["301", "302", "303"]),
        ("A08-A10", ["A08", "A09", "A10"]),
        ("1201～1202", ["1201", "1202"]),
    ],
)
def test_room_numbers_are_read_from_ranges(text, numbers):
    assert parse_room_numbers(text) == numbers


@pytest.mark.parametrize("text", ["", "320-301", "301-", "1-1000"])
def test_room_numbers_that_make_no_sense_are_refused(text):
    with pytest.raises(ValidationError):
        parse_room_numbers(text)


def test_a_rooms_state_is_set_from_the_board(client, officer_a, site):
    room = RoomFactory(site=site, status=RoomStatus.CLEANING)
    client.force_login(officer_a)

    response = client.post(
        reverse("observation:room_state", args=[room.pk]), {"status": RoomStatus.FREE}
    )

    assert response["Location"] == site.get_absolute_url()
    room.refresh_from_db()
    assert room.status == RoomStatus.FREE


# ---------------------------------------------------------------------------- stays


def test_a_person_is_checked_into_a_free_room(client, officer_a, district, site):
    room = RoomFactory(site=site, number="301")
    episode = centralized_episode_in(district.grid_a1, site=site)
    client.force_login(officer_a)
    url = reverse("observation:stay_check_in", args=[site.pk])

    form_page = client.get(url, {"episode": episode.pk}).content.decode()
    response = client.post(url, {"episode": episode.pk, "room": room.pk})

    assert episode.key_person.display_name in form_page
    assert response["Location"] == site.get_absolute_url()
    assert RoomStay.objects.get(checked_out_at__isnull=True).room == room


def test_check_in_to_an_occupied_room_says_so_and_changes_nothing(
    client, officer_a, district, site
):
    room = RoomFactory(site=site, number="301")
    _stay(centralized_episode_in(district.grid_a1, site=site), room, officer_a)
    newcomer = centralized_episode_in(district.grid_a1, site=site)
    client.force_login(officer_a)

    response = client.post(
        reverse("observation:stay_check_in", args=[site.pk]),
        {"episode": newcomer.pk, "room": room.pk},
    )

    assert response.status_code == 422
    page = response.content.decode()
    field = page[page.index('id="field-room"') :]
    assert "This room is already occupied." in field
    assert RoomStay.objects.count() == 1
    assert not newcomer.stays.exists()


def test_a_move_leaves_the_old_room_to_be_cleaned(client, officer_a, district, site):
    old = RoomFactory(site=site, number="301")
    new = RoomFactory(site=site, number="302")
    episode = centralized_episode_in(district.grid_a1, site=site)
    _stay(episode, old, officer_a)
    client.force_login(officer_a)

    response = client.post(reverse("observation:stay_move", args=[episode.pk]), {"room": new.pk})

    assert response.status_code == 302
    assert episode.stays.get(checked_out_at__isnull=True).room == new
    old.refresh_from_db()
    assert old.status == RoomStatus.CLEANING


def test_check_out_empties_the_room(client, officer_a, district, site):
    room = RoomFactory(site=site, number="301")
    episode = centralized_episode_in(district.grid_a1, site=site)
    _stay(episode, room, officer_a)
    client.force_login(officer_a)

    response = client.post(reverse("observation:stay_check_out", args=[episode.pk]))

    assert response.status_code == 302
    assert not episode.stays.filter(checked_out_at__isnull=True).exists()
    page = client.get(site.get_absolute_url()).content.decode()
    assert _states(page) == {"301": "cleaning"}


def test_staff_are_put_on_duty_and_shown_on_the_site(client, officer_a, district, site):
    nurse = staff_user(role=Role.MEDICAL_STAFF, unit=district.community_a, username="nurse_a")
    client.force_login(officer_a)

    response = client.post(
        reverse("observation:site_staff_add", args=[site.pk]),
        {
            "user": nurse.pk,
            "role": SiteStaffRole.MEDICAL,
            "on_duty_from": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 302
    assert SiteStaff.objects.get().user == nurse
    page = client.get(site.get_absolute_url()).content.decode()
    staff = page[page.index('id="staff"') :]
    assert "Medical staff" in staff and str(nurse.staff_profile) in staff


# ---------------------------------------------------------------------------- navigation


def test_the_navigation_groups_the_modules(client, officer_a):
    client.force_login(officer_a)

    home = client.get(reverse("home")).content.decode()
    sites = client.get(reverse("observation:site_list")).content.decode()

    assert 'href="/observation/sites/"' in home and 'href="/observation/episodes/"' in home
    # Every group is open on the home page; elsewhere only the current page's group.
    assert home.count(" open>") == home.count("<details") > 1
    nav = sites[sites.index('class="mainnav"') : sites.index("</nav>")]
    assert nav.count(" open>") == 1
    assert re.search(r'class="navgroup is-current" open>\s*<summary>Observation</summary>', nav)


def test_the_board_takes_as_many_queries_for_many_rooms_as_for_one(
    client, officer_a, district, site
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(site.get_absolute_url()).status_code == 200
        return len(captured)

    client.force_login(officer_a)
    _stay(centralized_episode_in(district.grid_a1, site=site), RoomFactory(site=site), officer_a)
    one = queries()
    for _ in range(4):
        _stay(
            centralized_episode_in(district.grid_a1, site=site), RoomFactory(site=site), officer_a
        )
        RoomFactory(site=site)

    assert queries() == one


def test_an_officer_sets_up_a_site_of_their_community(client, officer_a, district):
    client.force_login(officer_a)
    url = reverse("observation:site_new")

    other = client.post(url, {"unit": district.community_b.pk, "name": "乙社区酒店"})
    response = client.post(url, {"unit": district.community_a.pk, "name": "甲社区酒店"})

    assert other.status_code == 404
    site = IsolationSite.objects.get()
    assert (site.name, site.unit) == ("甲社区酒店", district.community_a)
    assert response["Location"] == site.get_absolute_url()
