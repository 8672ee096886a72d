"""Reads of the briefing: trends from the frozen snapshots and the rows behind a figure.
A unit's figures for a day are `reports.day_figures`, shared with the daily report."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from outpost.briefing.figures import Figure, figure_rows
from outpost.briefing.models import DailySnapshot
from outpost.briefing.reports import DayFigures
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


def visible_figure_rows(*, user, figure: Figure, unit: Unit, day: datetime.date) -> QuerySet:
    """The rows behind a figure that the user may see."""
    rows = figure_rows(figure=figure, unit=unit, day=day)
    return rows.filter(pk__in=rows.model.objects.visible_to(user).values("pk"))
