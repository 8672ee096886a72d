"""What makes the dashboard read at a glance: each figure with its share of its total and
its threshold colour (green, amber, red), and the totals row of the table of units."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from outpost.briefing.models import FigureThreshold
from outpost.briefing.reports import DayFigures, FigureLine
from outpost.briefing.shares import SHARE_OF, format_share, share_percent

Values = dict[str, int | None]


@dataclass(frozen=True)
class Tile:
    """One figure on the dashboard: its line, its share of its total (text) and colour."""

    line: FigureLine
    total: int | None  # the total it is a share of, when it is one
    share: str
    colour: str  # "red", "amber", "green" or "" (no threshold)


@dataclass(frozen=True)
class TileGroup:
    label: str | Promise
    tiles: list[Tile]


def thresholds() -> dict[str, FigureThreshold]:
    return {threshold.key: threshold for threshold in FigureThreshold.objects.all()}


def figure_colour(key: str, values: Values, limits: dict[str, FigureThreshold]) -> str:
    """The colour of figure `key` among `values`: its threshold applied to its share of
    its total when it has one (a percentage), else to its count."""
    threshold = limits.get(key)
    if threshold is None:
        return ""
    value = values.get(key)
    if key in SHARE_OF:
        value = share_percent(value, values.get(SHARE_OF[key]))
    return threshold.colour(value)


def tile_groups(figures: DayFigures, limits: dict[str, FigureThreshold]) -> list[TileGroup]:
    values = figures.values
    groups = []
    for group in figures.groups:
        tiles = []
        for line in group.lines:
            key = line.figure.key
            total = values.get(SHARE_OF[key]) if key in SHARE_OF else None
            share = format_share(line.value, total) if key in SHARE_OF else ""
            tiles.append(Tile(line, total, share, figure_colour(key, values, limits)))
        groups.append(TileGroup(group.label, tiles))
    return groups


def column_totals(rows: list[list[int | None]]) -> list[int | None]:
    """The sum of each column of the rows (None where no row has a value)."""
    totals: list[int | None] = []
    for column in zip(*rows, strict=True):
        present = [value for value in column if value is not None]
        totals.append(sum(present) if present else None)
    return totals
