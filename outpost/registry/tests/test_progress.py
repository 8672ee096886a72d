"""A campaign's progress page and the grid worker's "my grid": numbers, order, query counts."""

import pytest
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.registry import selectors
from outpost.registry.choices import MemberPresence, VisitOutcome
from outpost.registry.selectors import campaign_progress
from outpost.registry.tests.factories import (
    CampaignFactory,
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
    VisitMemberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(district):
    return CampaignFactory(unit=district.station, scope_units=[district.station])


@pytest.fixture
def visits(district, campaign):
    """Grid A1: 3 households (1 visited with 2 persons and 1 moved out, 1 nobody home);
    grid A2: 2 (1 refused); grid B1: 1, not visited."""
    a1 = [HouseholdFactory(unit=district.grid_a1) for _ in range(3)]
    a2 = [HouseholdFactory(unit=district.grid_a2) for _ in range(2)]
    b1 = HouseholdFactory(unit=district.grid_b1)
    visit = VisitFactory(campaign=campaign, household=a1[0])
    for presence in (MemberPresence.PRESENT, MemberPresence.NEW, MemberPresence.DEPARTED):
        VisitMemberFactory(visit=visit, presence=presence)
    VisitFactory(campaign=campaign, household=a1[1], outcome=VisitOutcome.NOBODY_HOME)
    VisitFactory(campaign=campaign, household=a2[0], outcome=VisitOutcome.REFUSED)
    return {"a1": a1, "a2": a2, "b1": b1}


def counts(row):
    return (row.households, row.visited, row.nobody_home, row.persons_screened)


@pytest.mark.parametrize("narrow_below", [60, 0], ids=["seek-by-grid", "scan-by-path"])
def test_station_sees_each_office(
    admin_user, officer_a, district, campaign, visits, monkeypatch, narrow_below
):
    monkeypatch.setattr(selectors, "NARROW_SUBTREE_UNITS", narrow_below)
    progress = campaign_progress(user=admin_user, campaign=campaign, base=district.station)
    assert counts(progress.base) == (6, 2, 1, 2)
    assert [(row.name, counts(row)) for row in progress.rows] == [
        (district.office.name, (6, 2, 1, 2))
    ]
    below_own_unit = campaign_progress(user=admin_user, campaign=campaign, base=district.office)
    assert counts(below_own_unit.base) == (6, 2, 1, 2)
    own_unit = campaign_progress(user=officer_a, campaign=campaign, base=district.community_a)
    assert counts(own_unit.base) == (5, 2, 1, 2)


def test_office_sees_each_community(admin_user, district, campaign, visits):
    progress = campaign_progress(user=admin_user, campaign=campaign, base=district.office)
    assert [(row.name, counts(row)) for row in progress.rows] == [
        (district.community_a.name, (5, 2, 1, 2)),
        (district.community_b.name, (1, 0, 0, 0)),
    ]


def test_community_sees_each_grid_with_its_grid_workers(officer_a, district, campaign, visits):
    staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, display_name="张网格")
    progress = campaign_progress(user=officer_a, campaign=campaign, base=district.community_a)
    assert [(row.name, counts(row), row.grid_workers) for row in progress.rows] == [
        (district.grid_a1.name, (3, 1, 1, 2), ["张网格"]),
        (district.grid_a2.name, (2, 1, 0, 0), []),
    ]
    assert progress.rows[0].percent == 33


def test_grid_lists_households_still_to_visit_never_tried_first(
    officer_a, district, campaign, visits
):
    progress = campaign_progress(user=officer_a, campaign=campaign, base=district.grid_a1)
    assert progress.rows == []
    assert [h.pk for h in progress.unvisited] == [visits["a1"][2].pk, visits["a1"][1].pk]


def test_campaign_over_one_community_counts_only_its_households(admin_user, district, visits):
    campaign = CampaignFactory(unit=district.station, scope_units=[district.community_b])
    progress = campaign_progress(user=admin_user, campaign=campaign, base=district.office)
    assert counts(progress.base) == (1, 0, 0, 0)
    assert [row.name for row in progress.rows] == [district.community_b.name]


def test_progress_page_drills_down_and_stops_at_the_users_jurisdiction(
    client, officer_a, district, campaign, visits
):
    client.force_login(officer_a)
    url = reverse("registry:campaign_detail", args=[campaign.pk])
    content = client.get(url).content.decode()
    assert f'href="?unit={district.grid_a1.pk}"' in content
    grid_page = client.get(url, {"unit": district.grid_a1.pk}).content.decode()
    assert visits["a1"][2].household_number in grid_page
    assert visits["a1"][0].household_number not in grid_page  # visited
    assert client.get(url, {"unit": district.grid_b1.pk}).status_code == 404
    assert client.get(url, {"unit": district.office.pk}).status_code == 404


def test_progress_page_queries_do_not_grow_with_the_data(
    client, admin_user, district, campaign, visits, django_assert_max_num_queries
):
    for grid in (district.grid_a1, district.grid_a2, district.grid_b1):
        for _ in range(10):
            visit = VisitFactory(campaign=campaign, household=HouseholdFactory(unit=grid))
            VisitMemberFactory(visit=visit)
    client.force_login(admin_user)
    url = reverse("registry:campaign_detail", args=[campaign.pk])
    for unit in (district.station, district.office, district.community_a, district.grid_a1):
        with django_assert_max_num_queries(18):  # 18th: the inbox badge in the page shell
            assert client.get(url, {"unit": unit.pk}).status_code == 200


# ---------------------------------------------------------------------------- my grid


def test_my_grid_lists_households_to_visit_first_by_address(
    client, grid_worker_a1, district, campaign
):
    def household(building, room):
        return HouseholdFactory(
            unit=district.grid_a1, street="黄河路", building=building, room=room
        )

    done = household("1", "101")
    nobody_home = household("1", "102")
    later = household("2", "101")
    first = household("1", "201")
    HouseholdFactory(unit=district.grid_a2)  # another grid: not listed
    VisitFactory(campaign=campaign, household=done)
    VisitFactory(campaign=campaign, household=nobody_home, outcome=VisitOutcome.NOBODY_HOME)
    client.force_login(grid_worker_a1)
    response = client.get(reverse("registry:my_grid"))
    assert [h.pk for h in response.context["object_list"]] == [
        first.pk,
        later.pk,
        nobody_home.pk,
        done.pk,
    ]
    assert response.context["next_household"] == first
    assert response.context["counts"]["visited"] == 1
    assert response.context["counts"]["total"] == 4
    next_url = reverse("registry:visit_form", args=[first.pk]) + f"?campaign={campaign.pk}"
    assert next_url in response.content.decode()


def test_my_grid_without_a_running_campaign_says_so(client, grid_worker_a1, district):
    HouseholdFactory(unit=district.grid_a1)
    client.force_login(grid_worker_a1)
    response = client.get(reverse("registry:my_grid"))
    assert response.status_code == 200
    assert response.context["campaign"] is None


def test_my_grid_refuses_a_campaign_of_another_grid(client, grid_worker_a1, district):
    other = CampaignFactory(unit=district.community_a, scope_units=[district.grid_a2])
    client.force_login(grid_worker_a1)
    assert client.get(reverse("registry:my_grid"), {"campaign": other.pk}).status_code == 404


def test_my_grid_queries_do_not_grow_with_the_households(
    client, grid_worker_a1, district, campaign, django_assert_max_num_queries
):
    for n in range(40):
        household = HouseholdFactory(unit=district.grid_a1)
        ResidentFactory(household=household)
        if n % 2:
            VisitFactory(campaign=campaign, household=household)
    client.force_login(grid_worker_a1)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("registry:my_grid")).status_code == 200
