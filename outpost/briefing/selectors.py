"""Reads of the briefing: trends from the frozen snapshots and the rows behind a figure.
A unit's figures for a day are `reports.day_figures`, shared with the daily report."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import QuerySet

from outpost.briefing.figures import Figure
from outpost.briefing.models import DailySnapshot
from outpost.briefing.reports import DayFigures, FigureRows, figure_rows_of_day
from outpost.core.models import Unit


def trends(
    *, unit: Unit, keys: list[str], until: DayFigures, days: int = 30
) -> dict[str, list[tuple[datetime.date, int]]]:
    """Each figure's value per day over the `days` days up to `until.day`, from the
    snapshots, with `until`'s own (possibly live) value last. Days never frozen are left out."""
    since = until.day - datetime.timedelta(days=days - 1)
    series: dict[str, list[tuple[datetime.date, int]]] = {key: [] for key in keys}
    snapshots = DailySnapshot.objects.filter(unit=unit, day__gte=since, day__lt=until.day).order_by(
        "day"
    )
    for day, figures in snapshots.values_list("day", "figures"):
        for key in keys:
            series[key].append((day, figures.get(key, 0)))
    for key in keys:
        series[key].append((until.day, until.values.get(key) or 0))
    return series


def visible_figure_rows(
    *, user, figure: Figure, unit: Unit, day: datetime.date, related: tuple[str, ...] = ()
) -> QuerySet | list:
    """The rows behind a figure of the day that the user may see, newest first: the rows
    the dashboard's figure counts (frozen with the day's snapshot, or live), as a queryset,
    or a lazy list of a frozen day's rows (each page read through the scoped manager)."""
    rows = figure_rows_of_day(figure=figure, unit=unit, day=day)
    if rows.frozen is None:
        (visible,) = rows.visible(user)
        return visible.select_related(*related).order_by("-pk")
    return FrozenRowList(rows=rows, user=user, related=related)


class FrozenRowList(Sequence):
    """A frozen figure's rows, newest first, for a paginator: its length is the frozen
    count; a page's rows are read through the scoped manager (a row that has left the
    user's area since is not shown)."""

    def __init__(self, *, rows: FigureRows, user, related: tuple[str, ...]):
        self.pks = sorted(rows.frozen, reverse=True)
        self.scoped = rows.scoped(user)
        self.related = related

    def __len__(self) -> int:
        return len(self.pks)

    def __getitem__(self, index):
        pks = self.pks[index] if isinstance(index, slice) else [self.pks[index]]
        found = self.scoped.select_related(*self.related)
        by_pk = found.in_bulk(pks)
        page = [by_pk[pk] for pk in pks if pk in by_pk]
        return page if isinstance(index, slice) else page[0]
