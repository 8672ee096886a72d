"""The briefing's lines of the home page's to-do list (今日待办) for the station leader: the
day's headline figures of their unit, each with its change since yesterday's snapshot, and
a link to the rows the figure counts (the same rows: `visible_figure_rows`)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from outpost.briefing.figures import figure_by_key, figure_rows
from outpost.briefing.models import DailySnapshot
from outpost.briefing.reports import FigureRows, day_moment
from outpost.core.choices import Role
from outpost.core.models import Unit
from outpost.core.scoping import user_covers, user_scope_unit
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
        for snapshot in DailySnapshot.objects.filter(unit=unit, day__in=[today, yesterday]).defer(
            "rows"
        )
    }
    before, frozen_today = snapshots.get(yesterday), snapshots.get(today)
    moment = day_moment(today, timezone.now())
    lines = []
    for key, urgency in HEADLINES:
        figure = figure_by_key(key)
        rows = FigureRows(
            figure=figure,
            query=figure_rows(figure=figure, unit=unit, day=today, now=moment),
            frozen=frozen_today.frozen_pks(key) if frozen_today is not None else None,
        )
        count = _visible_count(user, unit, rows)
        was = before.figures.get(key) if before is not None else None
        url = reverse("briefing:figure_rows") + "?" + urlencode({"key": key})
        change = count - was if was is not None else None
        lines.append(
            todo_line(figure.label, count, url, urgency=urgency, change=change, always=True)
        )
    return lines


def _visible_count(user, unit: Unit, rows: FigureRows) -> int:
    """The number of rows the figure's list shows the user (`visible_figure_rows`). A user
    whose own subtree holds the unit's sees every row of it (scoping rule 1), so the
    figure's own count is that number without the scoped filter around it."""
    if rows.frozen is not None:
        return len(rows.frozen)
    model = rows.model._meta
    if user_covers(user, unit) and user.has_perm(f"{model.app_label}.view_{model.model_name}"):
        return rows.query.order_by().count()
    (visible,) = rows.visible(user)
    return visible.order_by().count()


TODO_SOURCES = [
    TodoSource(
        "briefing.headlines",
        frozenset({Role.STATION_LEADER}),
        ("briefing.view_dailysnapshot",),
        headline_lines,
        order=50,
    )
]
