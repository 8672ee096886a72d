import datetime

import pytest
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.keypersons.choices import MemberStatus
from outpost.keypersons.tests.factories import TeamMemberFactory, managed_key_person_in
from outpost.registry.tests.factories import CampaignFactory, HouseholdFactory, ResidentFactory


class Grid:
    """A grid worker's day: an open campaign over community A, three households of their
    grid (one member each), one household of community B, and a key person of their grid
    on whose four-on-one team they are."""

    def __init__(self, district, worker):
        self.district = district
        self.worker = worker
        self.campaign = CampaignFactory(
            unit=district.station,
            scope_units=[district.community_a, district.community_b],
            start_date=timezone.localdate() - datetime.timedelta(days=2),
        )
        self.households = [HouseholdFactory(unit=district.grid_a1) for _ in range(3)]
        self.members = [ResidentFactory(household=h) for h in self.households]
        self.other_household = HouseholdFactory(unit=district.grid_b1)
        ResidentFactory(household=self.other_household, name="乙网格居民")
        self.key_person = managed_key_person_in(district.grid_a1)
        TeamMemberFactory(key_person=self.key_person, worker=worker, status=MemberStatus.CONFIRMED)


@pytest.fixture
def grid(district, grid_worker_a1):
    return Grid(district, grid_worker_a1)


@pytest.fixture
def second_worker_a1(district):
    return staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="grid_a1_b")
