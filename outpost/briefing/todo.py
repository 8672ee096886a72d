"""The briefing's lines of the home page's to-do list (今日待办) for the station leader: the
day's headline figures of their unit, each with its change since yesterday's snapshot, and
a link to the rows the figure counts (the same rows: `visible_figure_rows`)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from outpost.briefing.figures import figure_by_key
from outpost.briefing.models import DailySnapshot
from outpost.briefing.reports import figure_rows_of_day
from outpost.core.choices import Role
from outpost.core.models import Unit
from outpost.core.scoping import user_scope_unit
from outpost.core.shell import TODO_NORMAL, TODO_OVERDUE, TodoLine, TodoSource, todo_line

# The headline figures (key, state when not zero): a figure of work left undone is red.
HEADLINES = (
    ("arrivals_new", TODO_NORMAL),
    ("key_persons", TODO_NORMAL),
    ("contacts_overdue", TODO_OVERDUE),
    ("dispatch_overdue", TODO_OVERDUE),
    ("alerts_open", TODO_OVERDUE),
)


def _unit_of(user) -> Unit | None:
    """The unit the dashboard opens on for the user (as `BriefingUnitMixin`)."""
    return (
        user_scope_unit(user) or Unit.objects.visible_to(user).filter(parent__isnull=True).first()
    )


def headline_lines(*, user) -> list[TodoLine]:
    unit = _unit_of(user)
    if unit is None:
        return []
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    snapshots = {
        snapshot.day: snapshot
        for snapshot in DailySnapshot.objects.filter(unit=unit, day__in=[today, yesterday])
    }
    before = snapshots.get(yesterday)
    lines = []
    for key, urgency in HEADLINES:
        figure = figure_by_key(key)
        rows = figure_rows_of_day(
            figure=figure, unit=unit, day=today, snapshot=snapshots.get(today)
        )
        if rows.frozen is None:
            (visible,) = rows.visible(user)
            count = visible.order_by().count()
        else:
            count = len(rows.frozen)
        was = before.figures.get(key) if before is not None else None
        url = reverse("briefing:figure_rows") + "?" + urlencode({"key": key})
        change = count - was if was is not None else None
        lines.append(todo_line(figure.label, count, url, urgency=urgency, change=change))
    return lines


TODO_SOURCES = [
    TodoSource(
        "briefing.headlines",
        frozenset({Role.STATION_LEADER}),
        ("briefing.view_dailysnapshot",),
        headline_lines,
        order=50,
    )
]
