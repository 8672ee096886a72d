"""Fixtures of the key-person tests (the district and its staff are in the root conftest)."""

import pytest

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory
from outpost.screening.tests.factories import ScreeningRunFactory


@pytest.fixture
def resident_a1(district):
    return ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))


@pytest.fixture
def resident_b1(district):
    return ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))


@pytest.fixture
def officer_b(district):
    return staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="officer_b")


@pytest.fixture
def station_officer(district):
    return staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="officer_s")


@pytest.fixture
def station_run(district, station_officer):
    """A finished run over the whole station: results in both communities."""
    return ScreeningRunFactory(unit=district.station, created_by=station_officer, status="done")


@pytest.fixture
def team_staff(district, officer_a, grid_worker_a1):
    """The workers who serve community A as the demo places them: the police officer at the
    community (officer_a), a cadre at the community, a medic at the police office (the
    health centre's unit), a grid worker in each grid."""
    return {
        "police": officer_a,
        "cadre": staff_user(
            role=Role.COMMUNITY_CADRE, unit=district.community_a, username="cadre_a"
        ),
        "medical": staff_user(role=Role.MEDICAL_STAFF, unit=district.office, username="medic_o"),
        "grid": grid_worker_a1,
        "grid_a2": staff_user(role=Role.GRID_WORKER, unit=district.grid_a2, username="grid_a2"),
        "grid_b1": staff_user(role=Role.GRID_WORKER, unit=district.grid_b1, username="grid_b1"),
        "cadre_b": staff_user(
            role=Role.COMMUNITY_CADRE, unit=district.community_b, username="cadre_b"
        ),
    }
