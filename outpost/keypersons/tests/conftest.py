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
