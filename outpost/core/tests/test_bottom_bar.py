"""The phone's bottom bar: each role gets its own 4–5 main destinations, marked by the apps
on their menu entries (`primary_for`), each one a page the role may open."""

import pytest
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.shell import MenuEntry, register_menu, registered_menu
from outpost.core.tests.factories import staff_user

pytestmark = pytest.mark.django_db

UNIT_OF = {
    Role.STATION_LEADER: "station",
    Role.ANALYST: "station",
    Role.ADMINISTRATOR: "station",
    Role.GRID_WORKER: "grid_a1",
}


def _bar(client, district, role) -> list[str]:
    unit = getattr(district, UNIT_OF.get(role, "community_a"))
    client.force_login(staff_user(role=role, unit=unit, username=f"bar-{role}"))
    return [item["url"] for item in client.get(reverse("home")).context["nav_bar"]]


@pytest.mark.parametrize(
    "role", [r for r in Role if r != Role.ENTERPRISE_LIAISON], ids=lambda r: r.value
)
def test_every_working_role_gets_four_or_five_destinations_it_may_open(client, district, role):
    bar = _bar(client, district, role)

    assert 4 <= len(bar) <= 5
    assert bar[0] == reverse("home")
    for url in bar:
        assert client.get(url).status_code == 200, url


def test_each_role_gets_its_own_destinations(client, district):
    grid_worker = _bar(client, district, Role.GRID_WORKER)
    officer = _bar(client, district, Role.POLICE_OFFICER)
    leader = _bar(client, district, Role.STATION_LEADER)

    assert reverse("registry:my_grid") in grid_worker
    assert reverse("keypersons:mine") in grid_worker
    assert reverse("screening:review_list") in officer
    assert reverse("briefing:dashboard") in leader
    assert reverse("briefing:dashboard") not in grid_worker


def test_the_current_section_is_marked_once(client, district):
    client.force_login(staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="g"))

    bar = client.get(reverse("registry:my_grid")).context["nav_bar"]

    assert [item["url"] for item in bar if item["current"]] == [reverse("registry:my_grid")]


def test_an_app_marks_an_entry_for_some_roles():
    register_menu([("Test", "Test page", "home", None, {Role.ANALYST})], order=999)
    try:
        entry = next(e for e in registered_menu() if e.label == "Test page")
        assert entry.is_primary_for([Role.ANALYST])
        assert not entry.is_primary_for([Role.GRID_WORKER])
    finally:
        from outpost.core import shell

        shell._MENU.remove(entry)


def test_an_entry_without_roles_is_in_no_bar():
    entry = MenuEntry("Group", "Label", "home", None, 0)

    assert not entry.is_primary_for(list(Role))
