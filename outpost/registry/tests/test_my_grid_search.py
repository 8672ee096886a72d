"""My grid: a grid worker standing at a building finds its households by building and
entrance; the grid's progress stays the whole grid's."""

import pytest
from django.urls import reverse

from outpost.registry.tests.factories import CampaignFactory, HouseholdFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def households(district):
    CampaignFactory(unit=district.community_a, scope_units=[district.community_a])

    def household(building, entrance, room):
        return HouseholdFactory(
            unit=district.grid_a1, building=building, entrance=entrance, room=room
        )

    return {
        "7-1-101": household("7", "1", "101"),
        "7-1-201": household("7", "1", "201"),
        "7-2-101": household("7", "2", "101"),
        "8-1-101": household("8", "1", "101"),
    }


def _numbers(response, households):
    by_pk = {h.pk: key for key, h in households.items()}
    return {by_pk[h.pk] for h in response.context["object_list"]}


def test_search_by_building(client, grid_worker_a1, households):
    client.force_login(grid_worker_a1)
    response = client.get(reverse("registry:my_grid"), {"building": "7"})
    assert _numbers(response, households) == {"7-1-101", "7-1-201", "7-2-101"}
    assert "3 households found." in response.content.decode()
    # The progress is still the grid's.
    assert response.context["counts"]["total"] == 4


def test_search_by_building_and_entrance(client, grid_worker_a1, households):
    client.force_login(grid_worker_a1)
    response = client.get(reverse("registry:my_grid"), {"building": "7", "entrance": "2"})
    assert _numbers(response, households) == {"7-2-101"}


def test_building_choices_are_the_grids_buildings(client, grid_worker_a1, households):
    client.force_login(grid_worker_a1)
    response = client.get(reverse("registry:my_grid"))
    assert response.context["buildings"] == ["7", "8"]


def test_nothing_at_that_address_reads_a_sentence(client, grid_worker_a1, households):
    client.force_login(grid_worker_a1)
    response = client.get(reverse("registry:my_grid"), {"building": "99"})
    assert "No household of the campaign at this building and entrance." in (
        response.content.decode()
    )
