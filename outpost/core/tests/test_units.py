"""The jurisdiction tree: a unit's subtree is one prefix query, and paths follow moves."""

import pytest
from django.core.exceptions import ValidationError

from outpost.core.choices import UnitKind
from outpost.core.models import Unit
from outpost.core.services import unit_save

pytestmark = pytest.mark.django_db


def test_subtree_of_a_community_holds_its_grids_only(district):
    codes = set(Unit.objects.subtree(district.community_a).values_list("code", flat=True))
    assert codes == {"CA", "CA-G1", "CA-G2"}


def test_new_unit_gets_its_path_and_depth(district, admin_user):
    grid = unit_save(
        acting_user=admin_user,
        unit=Unit(
            code="CB-G2", name="乙社区第2网格", kind=UnitKind.GRID, parent=district.community_b
        ),
    )
    assert grid.path == "S1/O1/CB/CB-G2/"
    assert grid.depth == 3
    assert grid.history.latest().history_user == admin_user


def test_moving_a_community_moves_its_grids(district, admin_user):
    office2 = unit_save(
        acting_user=admin_user,
        unit=Unit(
            code="O2", name="第二警务室", kind=UnitKind.POLICE_OFFICE, parent=district.station
        ),
    )
    community = district.community_b
    community.parent = office2
    unit_save(acting_user=admin_user, unit=community)
    grid = Unit.objects.get(code="CB-G1")
    assert grid.path == "S1/O2/CB/CB-G1/"
    assert Unit.objects.subtree(office2).filter(code="CB-G1").exists()
    assert not Unit.objects.subtree(district.office).filter(code="CB-G1").exists()


def test_moving_a_unit_leaves_a_history_row_for_every_unit_of_its_subtree(district, admin_user):
    grids = [district.grid_a1, district.grid_a2]
    before = {grid.pk: grid.history.count() for grid in grids}
    community = district.community_a
    community.parent = district.station
    unit_save(acting_user=admin_user, unit=community)
    for grid in grids:
        assert grid.history.count() == before[grid.pk] + 1
        latest = grid.history.latest()
        assert (latest.history_user, latest.path) == (admin_user, f"S1/CA/{grid.code}/")
        assert latest.depth == 2


def test_a_unit_cannot_move_under_its_own_grid(district, admin_user):
    community = district.community_a
    community.parent = district.grid_a1
    with pytest.raises(ValidationError):
        unit_save(acting_user=admin_user, unit=community)
    assert Unit.objects.get(code="CA").path == "S1/O1/CA/"


def test_within_keeps_the_records_of_a_subtree_only(district):
    from outpost.registry.models import Resident
    from outpost.registry.tests.factories import ResidentFactory

    inside = ResidentFactory(unit=district.grid_a2)
    ResidentFactory(unit=district.grid_b1)
    assert list(Resident.objects.within(district.community_a)) == [inside]


def test_within_follows_the_models_scope_unit_field(district):
    from outpost.registry.models import VisitMember
    from outpost.registry.tests.factories import VisitMemberFactory

    inside = VisitMemberFactory(visit__unit=district.grid_a1)
    VisitMemberFactory(visit__unit=district.grid_b1)
    assert list(VisitMember.objects.within(district.community_a)) == [inside]
