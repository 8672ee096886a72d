"""The demo district's map: every unit but the branch has a valid boundary, the grids tile
their community without gaps or overlaps, and communities tile the station."""

import itertools

from outpost.core.boundaries import geometry_errors
from outpost.core.choices import UnitKind
from outpost.demo.district import STATION_CODE, plan_demo_district


def _area(geometry: dict) -> float:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    total = 0.0
    for polygon in polygons:
        for ring in polygon:  # holes run clockwise and subtract
            total += sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    return total / 2


def test_every_unit_below_the_branch_has_a_valid_boundary():
    plan = plan_demo_district(scale=0.001)

    kinds = {spec.code: spec.kind for spec in plan.units}
    assert set(plan.boundaries) == {c for c, k in kinds.items() if k != UnitKind.BRANCH}
    assert sum(1 for c in plan.boundaries if kinds[c] == UnitKind.GRID) == 235
    for code, geometry in plan.boundaries.items():
        assert geometry_errors(geometry) == [], code


def test_grids_tile_their_community_and_communities_the_station():
    plan = plan_demo_district(scale=0.001)
    below: dict[str, list[str]] = {}
    for spec in plan.units:
        below.setdefault(spec.parent_code, []).append(spec.code)

    for spec in plan.units:
        if spec.kind in (UnitKind.COMMUNITY, UnitKind.POLICE_OFFICE, UnitKind.STATION):
            whole = _area(plan.boundaries[spec.code])
            parts = sum(_area(plan.boundaries[code]) for code in below[spec.code])
            assert abs(whole - parts) < 1e-9, spec.name
            assert whole > 0
    assert _area(plan.boundaries[STATION_CODE]) > 0


def test_the_map_does_not_change_the_people():
    plan = plan_demo_district(scale=0.001, seed=5)
    again = plan_demo_district(scale=0.001, seed=5)

    assert plan.boundaries == again.boundaries
    assert [r.id_number for r in plan.residents] == [r.id_number for r in again.residents]
