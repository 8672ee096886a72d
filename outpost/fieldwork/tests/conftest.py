import pytest

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.fieldwork.tests.factories import Grid


@pytest.fixture
def grid(district, grid_worker_a1):
    return Grid(district, grid_worker_a1)


@pytest.fixture
def second_worker_a1(district):
    return staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="grid_a1_b")
