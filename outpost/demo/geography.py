"""The demo district's map: boundaries for its grids, communities, offices and station.

The district is a lattice of city blocks around Harbin Road (Dalian): an irregular outline
of exactly one block per grid, each lattice corner nudged at random so blocks look like
streets rather than squares (a corner is shared, so neighbours still meet without gaps).
Blocks are walked in vertical bands, back and forth, and cut into runs of each community's
grid count: consecutive blocks touch, so a community (and an office, its communities in a
row) is a compact patch. A unit's boundary is the outline of its blocks, traced on the
lattice, so communities are exactly the unions of their grids.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Sequence

# The south-west corner of the lattice and one block's size, in degrees (about 250 m).
WEST, SOUTH = 121.572, 38.893
STEP_LON, STEP_LAT = 0.0029, 0.00225
BAND = 4  # blocks across a band of the walk
JITTER = 0.28  # how far a corner moves, in blocks

Cell = tuple[int, int]
Corner = tuple[int, int]


def _outline(count: int, rng: random.Random) -> list[Cell]:
    """`count` blocks of a roundish, irregular outline: the blocks nearest a centre by a
    distance that wobbles with the direction."""
    side = math.ceil(math.sqrt(count)) + 4
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]

    def score(cell: Cell) -> float:
        x, y = cell[0] - side / 2 + 0.5, (cell[1] - side / 2 + 0.5) * 1.15
        angle = math.atan2(y, x)
        wobble = 1 + sum(0.09 * math.sin((k + 2) * angle + p) for k, p in enumerate(phases))
        return math.hypot(x, y) / wobble

    cells = [(i, j) for i in range(side) for j in range(side)]
    return sorted(cells, key=score)[:count]


def _walk(cells: Iterable[Cell]) -> list[Cell]:
    """The blocks in vertical bands of BAND columns, west to east; up one band and down the
    next, row by row, each row back and forth: consecutive blocks are neighbours."""
    by_band: dict[int, list[Cell]] = {}
    for cell in cells:
        by_band.setdefault(cell[0] // BAND, []).append(cell)
    order: list[Cell] = []
    for band in sorted(by_band):
        rows: dict[int, list[Cell]] = {}
        for cell in by_band[band]:
            rows.setdefault(cell[1], []).append(cell)
        ys = sorted(rows, reverse=band % 2 == 1)
        for n, y in enumerate(ys):
            order += sorted(rows[y], reverse=n % 2 == 1)
    return order


def _rings(cells: set[Cell]) -> list[list[Corner]]:
    """The outline of a set of blocks as closed rings of lattice corners (outer rings
    counter-clockwise, holes clockwise): the block edges no other block of the set shares."""
    edges: dict[Corner, list[Corner]] = {}
    for i, j in cells:
        corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
        neighbours = [(i, j - 1), (i + 1, j), (i, j + 1), (i - 1, j)]
        for k, neighbour in enumerate(neighbours):
            if neighbour not in cells:
                edges.setdefault(corners[k], []).append(corners[(k + 1) % 4])
    rings = []
    while edges:
        start = next(iter(edges))
        ring, corner = [start], start
        while True:
            following = edges[corner].pop()
            if not edges[corner]:
                del edges[corner]
            corner = following
            ring.append(corner)
            if corner == start:
                break
        # Every corner is kept: nudged, a corner on a straight lattice line is a bend the
        # neighbouring blocks share.
        rings.append(ring)
    return rings


def _signed_area(ring: Sequence[Corner]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))


def _inside(point: tuple[float, float], ring: Sequence[Corner]) -> bool:
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


class _Lattice:
    """Lattice corners to longitude/latitude, each corner nudged once (so shared)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.nudges: dict[Corner, tuple[float, float]] = {}

    def position(self, corner: Corner) -> list[float]:
        if corner not in self.nudges:
            self.nudges[corner] = (
                self.rng.uniform(-JITTER, JITTER),
                self.rng.uniform(-JITTER, JITTER),
            )
        dx, dy = self.nudges[corner]
        return [
            round(WEST + (corner[0] + dx) * STEP_LON, 6),
            round(SOUTH + (corner[1] + dy) * STEP_LAT, 6),
        ]

    def geometry(self, cells: set[Cell]) -> dict:
        """A GeoJSON Polygon (or MultiPolygon, for a set in several pieces) of the blocks."""
        rings = _rings(cells)
        outers = [r for r in rings if _signed_area(r) > 0]
        holes = [r for r in rings if _signed_area(r) <= 0]
        polygons = [[outer] for outer in outers]
        for hole in holes:
            probe = (hole[0][0] + 0.5, hole[0][1] + 0.5)
            owner = next((p for p in polygons if _inside(probe, p[0])), polygons[0])
            owner.append(hole)
        coordinates = [[[self.position(c) for c in ring] for ring in p] for p in polygons]
        if len(coordinates) == 1:
            return {"type": "Polygon", "coordinates": coordinates[0]}
        return {"type": "MultiPolygon", "coordinates": coordinates}


def district_boundaries(
    *,
    station: str,
    offices: dict[str, list[str]],
    grids_by_community: dict[str, list[str]],
    seed: int,
) -> dict[str, dict]:
    """The boundary (GeoJSON geometry) of every unit code of the district but the branch:
    each grid a block, each community its grids, each office its communities, the station
    all. `offices` maps an office's code to its communities', in the order of the walk."""
    rng = random.Random(f"{seed}-map")
    grid_count = sum(len(grids) for grids in grids_by_community.values())
    walk = _walk(_outline(grid_count, rng))
    lattice = _Lattice(rng)
    boundaries: dict[str, dict] = {}
    cells_of: dict[str, set[Cell]] = {}
    position = 0
    for office, communities in offices.items():
        for community in communities:
            grids = grids_by_community[community]
            blocks = walk[position : position + len(grids)]
            position += len(grids)
            for grid, block in zip(grids, blocks, strict=True):
                boundaries[grid] = lattice.geometry({block})
            cells_of[community] = set(blocks)
            boundaries[community] = lattice.geometry(cells_of[community])
        cells_of[office] = set().union(*(cells_of[c] for c in communities))
        boundaries[office] = lattice.geometry(cells_of[office])
    boundaries[station] = lattice.geometry(set(walk))
    return boundaries
