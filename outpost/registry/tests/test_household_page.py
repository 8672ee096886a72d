"""The household page: its members, its visits and its history, in sentences."""

import pytest
from django.urls import reverse

from outpost.registry.choices import VisitOutcome
from outpost.registry.tests.factories import (
    CampaignFactory,
    HouseholdFactory,
    ResidentFactory,
    VisitFactory,
    VisitMemberFactory,
)

pytestmark = pytest.mark.usefixtures("english")


def test_members_and_visits_are_listed(client, officer_a, district):
    household = HouseholdFactory(unit=district.grid_a1)
    member = ResidentFactory(household=household, name="张家长")
    campaign = CampaignFactory(
        name="春节返连排查", unit=district.community_a, scope_units=[district.community_a]
    )
    visit = VisitFactory(household=household, campaign=campaign)
    VisitMemberFactory(visit=visit, resident=member)
    client.force_login(officer_a)
    page = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "张家长" in page
    assert "春节返连排查" in page and "1 person recorded" in page
    assert "Record or correct the visit" in page


def test_a_household_without_members_or_visits_reads_sentences(client, officer_a, district):
    household = HouseholdFactory(unit=district.grid_a1)
    client.force_login(officer_a)
    page = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "Nobody is registered at this household yet" in page
    assert "Nobody has visited this household in a screening campaign yet." in page
    assert "0 visits" not in page


def test_a_visit_with_nobody_home_says_nobody_was_recorded(client, officer_a, district):
    household = HouseholdFactory(unit=district.grid_a1)
    VisitFactory(household=household, outcome=VisitOutcome.NOBODY_HOME)
    client.force_login(officer_a)
    page = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "nobody recorded" in page


def test_visits_of_the_household_follow_the_users_scope(client, grid_worker_a1, district):
    """A grid worker of A1 opens only A1's households; a household of A2 is a 404."""
    other = HouseholdFactory(unit=district.grid_a2)
    VisitFactory(household=other)
    client.force_login(grid_worker_a1)
    assert client.get(reverse("registry:household_detail", args=[other.pk])).status_code == 404
