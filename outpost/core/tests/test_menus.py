"""The menu shows each role what its work uses, and nothing it may not open."""

import pytest
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user

pytestmark = pytest.mark.django_db

UNIT_OF = {
    Role.STATION_LEADER: "station",
    Role.ANALYST: "station",
    Role.ADMINISTRATOR: "station",
    Role.GRID_WORKER: "grid_a1",
}


def _menu(client, district, role) -> set[str]:
    unit = getattr(district, UNIT_OF.get(role, "community_a"))
    client.force_login(staff_user(role=role, unit=unit, username=f"menu-{role}"))
    return {item["url"] for item in client.get(reverse("home")).context["nav_items"]}


@pytest.mark.parametrize(
    "url_name",
    [
        "observation:site_list",
        "core:unit_list",
        "registry:duplicate_list",
        "registry:export",
        "keypersons:coverage",
        "dispatch:order_list",
    ],
)
def test_a_grid_worker_is_not_shown_what_their_work_does_not_use(client, district, url_name):
    assert reverse(url_name) not in _menu(client, district, Role.GRID_WORKER)


def test_a_grid_worker_is_shown_their_own_work(client, district):
    menu = _menu(client, district, Role.GRID_WORKER)
    for url_name in (
        "registry:my_grid",
        "keypersons:mine",
        "observation:episode_list",
        "dispatch:my_items",
    ):
        assert reverse(url_name) in menu


def test_the_enterprise_liaison_sees_only_the_home_page_and_enterprise_pages(client, district):
    menu = _menu(client, district, Role.ENTERPRISE_LIAISON)
    assert reverse("home") in menu
    assert [
        url for url in menu if url != reverse("home") and not url.startswith("/enterprises/")
    ] == []


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_menu_entry_opens_for_the_role(client, district, role):
    for url in _menu(client, district, role):
        assert client.get(url).status_code == 200, url
