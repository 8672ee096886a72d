"""The daily report (每日信息通报) of one unit for one day: its figures with the changes since
the day before and the week before, its units below, and the lists behind the figures.

A day that has been closed is read from its snapshot, so its report never changes; a day
not frozen yet (today, or a day the scheduler missed) is counted live and says so. Deltas
come from snapshots only: a delta without a snapshot to compare with is None, not a guess.

The lists are of the unit's subtree (callers check that the user may see the unit) and
hold masked fields only: names as they are, ID numbers and phones masked.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, fields

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from outpost.briefing.figures import (
    Figure,
    figure_by_key,
    figure_list,
    figure_rows,
    subtree_figures,
)
from outpost.briefing.models import DailySnapshot
from outpost.core.masking import mask_id_number, mask_phone
from outpost.core.models import Unit
from outpost.keypersons.choices import KeyPersonCategory, KeyPersonStatus
from outpost.keypersons.models import KeyPerson
from outpost.observation.choices import AlertKind, AlertOutcome, AlertStatus
from outpost.observation.models import Alert

Values = dict[str, int | None]


@dataclass(frozen=True)
class FigureLine:
    """One figure of the report: its value and the change since a day and a week before."""

    figure: Figure
    value: int | None
    delta_day: int | None
    delta_week: int | None


@dataclass(frozen=True)
class FigureGroup:
    label: str | Promise
    lines: list[FigureLine]


@dataclass(frozen=True)
class ChildLine:
    """A unit directly below the report's unit with its figures; `live` when counted now
    rather than read from the day's snapshot."""

    unit: Unit
    values: Values
    live: bool


@dataclass(frozen=True)
class Column:
    """A list's column: its heading and its width in characters (xlsx; the PDF shares the
    page's width out in the same proportions)."""

    label: str | Promise
    width: int


@dataclass(frozen=True)
class ReportList:
    """A list behind the figures: a title, columns and rows of display strings."""

    key: str
    title: str | Promise
    columns: list[Column]
    rows: list[tuple]


@dataclass(frozen=True)
class DayFigures:
    """A unit's figures on one day with their changes and its children's figures: from
    the day's snapshots for a past day, counted live for today (or a day never frozen)."""

    unit: Unit
    day: datetime.date
    # The moment the states (open, overdue) are counted at: now for today, else day close.
    moment: datetime.datetime
    live: bool  # True: no snapshot of the unit for the day, figures counted live
    taken_at: datetime.datetime | None  # the snapshot's time when read from one
    figures: list[Figure]
    groups: list[FigureGroup]
    children: list[ChildLine]

    @property
    def values(self) -> dict[str, int | None]:
        return {line.figure.key: line.value for group in self.groups for line in group.lines}


@dataclass(frozen=True)
class DailyReport(DayFigures):
    """The daily report (每日信息通报): the day's figures and the lists behind them."""

    arrivals: ReportList
    new_key_persons: ReportList
    alerts: ReportList
    overdue: ReportList

    @property
    def lists(self) -> list[ReportList]:
        return [self.arrivals, self.new_key_persons, self.alerts, self.overdue]

    @property
    def list_rows(self) -> int:
        return sum(len(report_list.rows) for report_list in self.lists)


def day_close(day: datetime.date) -> datetime.datetime:
    """The end of `day` in the project's time zone: what a past day's states are as of."""
    next_day = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(next_day)


def day_figures(
    *, unit: Unit, day: datetime.date, now: datetime.datetime | None = None
) -> DayFigures:
    """The figures of `unit` (and everything below it) for `day`, with the children's;
    not user-scoped: pass a unit the user may see."""
    now = now or timezone.now()
    moment = now if day >= timezone.localdate(now) else min(now, day_close(day))
    figures = figure_list()
    children = list(Unit.objects.filter(parent=unit, is_active=True).order_by("path"))
    snapshots = {
        (s.unit_id, s.day): s
        for s in DailySnapshot.objects.filter(
            unit_id__in=[unit.pk, *(child.pk for child in children)],
            day__in=[day, day - datetime.timedelta(days=1), day - datetime.timedelta(days=7)],
        )
    }
    live_counts: dict[int, dict[str, int]] = {}

    def values_of(unit_id: int) -> tuple[Values, bool]:
        snapshot = snapshots.get((unit_id, day))
        if snapshot is not None:
            return {f.key: snapshot.figures.get(f.key) for f in figures}, False
        if not live_counts:
            live_counts.update(subtree_figures(root=unit, day=day, now=moment))
        counted = live_counts.get(unit_id, {})
        return {f.key: counted.get(f.key, 0) for f in figures}, True

    values, live = values_of(unit.pk)
    before = {
        days: snapshots.get((unit.pk, day - datetime.timedelta(days=days))) for days in (1, 7)
    }

    def delta(key: str, days: int) -> int | None:
        snapshot = before[days]
        earlier = snapshot.figures.get(key) if snapshot is not None else None
        return None if earlier is None or values[key] is None else values[key] - earlier

    lines = [FigureLine(f, values[f.key], delta(f.key, 1), delta(f.key, 7)) for f in figures]
    groups = [
        FigureGroup(label=group_lines[0].figure.group, lines=group_lines)
        for _key, grouped in itertools.groupby(lines, key=lambda line: str(line.figure.group))
        for group_lines in [list(grouped)]
    ]
    own = snapshots.get((unit.pk, day))
    return DayFigures(
        unit=unit,
        day=day,
        moment=moment,
        live=live,
        taken_at=own.taken_at if own else None,
        figures=figures,
        groups=groups,
        children=[ChildLine(child, *values_of(child.pk)) for child in children],
    )


def daily_report(
    *, unit: Unit, day: datetime.date, now: datetime.datetime | None = None
) -> DailyReport:
    """The report of `unit` (and everything below it) for `day`."""
    figures = day_figures(unit=unit, day=day, now=now)
    moment = figures.moment
    return DailyReport(
        **{field.name: getattr(figures, field.name) for field in fields(DayFigures)},
        arrivals=_arrivals(unit, day, moment),
        new_key_persons=_new_key_persons(unit, day),
        alerts=_alerts(unit, day),
        overdue=_overdue(unit, day, moment),
    )


# ------------------------------------------------------------------------------ the lists

PERSON_COLUMNS = [Column(_("Name"), 10), Column(_("ID number"), 19), Column(_("Phone"), 13)]
UNIT_COLUMN = Column(_("Unit"), 16)


def _person(row: dict, prefix: str = "") -> tuple[str, str, str]:
    """Name, masked ID number and masked phone of a row that may link a resident."""
    resident = f"{prefix}resident__"
    if row.get(f"{resident}name"):
        return (
            row[f"{resident}name"],
            mask_id_number(row[f"{resident}id_number"] or row[f"{resident}document_number"]),
            mask_phone(row[f"{resident}phone"]),
        )
    return (
        row[f"{prefix}name"],
        mask_id_number(row[f"{prefix}id_number"]),
        mask_phone(row[f"{prefix}phone"]),
    )


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _arrivals(unit: Unit, day: datetime.date, moment: datetime.datetime) -> ReportList:
    rows = (
        figure_rows(figure=figure_by_key("arrivals_new"), unit=unit, day=day, now=moment)
        .order_by("unit__path", "resident__name", "pk")
        .values(
            "resident__name",
            "resident__id_number",
            "resident__document_number",
            "resident__phone",
            "category__name",
            "arrival_date",
            "unit__name",
        )
    )
    return ReportList(
        key="arrivals",
        title=_("New arrivals"),
        columns=[
            *PERSON_COLUMNS,
            Column(_("Origin category"), 18),
            Column(_("Arrival date"), 11),
            UNIT_COLUMN,
        ],
        rows=[
            (
                *_person(row),
                row["category__name"],
                row["arrival_date"].isoformat() if row["arrival_date"] else "",
                row["unit__name"],
            )
            for row in rows
        ],
    )


# A key person's or a dispatch item's own fields, and those of the resident it may link.
PERSON_FIELDS = (
    "name",
    "id_number",
    "phone",
    "resident__name",
    "resident__id_number",
    "resident__document_number",
    "resident__phone",
)


def _new_key_persons(unit: Unit, day: datetime.date) -> ReportList:
    categories = dict(KeyPersonCategory.choices)
    statuses = dict(KeyPersonStatus.choices)
    rows = (
        KeyPerson.objects.filter(unit__path__startswith=unit.path, identified_on=day)
        .order_by("unit__path", "pk")
        .values(*PERSON_FIELDS, "category", "status", "unit__name")
    )
    return ReportList(
        key="key_persons",
        title=_("New key persons"),
        columns=[
            *PERSON_COLUMNS,
            Column(_("Category"), 16),
            Column(_("Status"), 10),
            UNIT_COLUMN,
        ],
        rows=[
            (
                *_person(row),
                str(categories.get(row["category"], "")),
                str(statuses.get(row["status"], "")),
                row["unit__name"],
            )
            for row in rows
        ],
    )


def _alerts(unit: Unit, day: datetime.date) -> ReportList:
    kinds, statuses, outcomes = (
        dict(choices.choices) for choices in (AlertKind, AlertStatus, AlertOutcome)
    )
    start = day_close(day - datetime.timedelta(days=1))
    prefix = "episode__key_person__"
    rows = (
        Alert.objects.filter(
            unit__path__startswith=unit.path, raised_at__gte=start, raised_at__lt=day_close(day)
        )
        .order_by("raised_at", "pk")
        .values(
            *(prefix + field for field in PERSON_FIELDS),
            "raised_at",
            "kind",
            "status",
            "outcome",
            "transfer_place",
            "unit__name",
        )
    )
    return ReportList(
        key="alerts",
        title=_("Alerts raised"),
        columns=[
            Column(_("Raised"), 11),
            Column(_("Alert type"), 11),
            *PERSON_COLUMNS,
            UNIT_COLUMN,
            Column(_("Status"), 8),
            Column(_("Outcome"), 14),
        ],
        rows=[
            (
                _local(row["raised_at"]),
                str(kinds.get(row["kind"], "")),
                *_person(row, prefix),
                row["unit__name"],
                str(statuses.get(row["status"], "")),
                " ".join(
                    part
                    for part in (str(outcomes.get(row["outcome"], "")), row["transfer_place"])
                    if part
                ),
            )
            for row in rows
        ],
    )


def _overdue(unit: Unit, day: datetime.date, moment: datetime.datetime) -> ReportList:
    """Dispatch items not verified by their order's deadline, then key persons whose contact
    is overdue, both as of the report's moment."""
    items = (
        figure_rows(figure=figure_by_key("dispatch_overdue"), unit=unit, day=day, now=moment)
        .order_by("order__deadline", "unit__path", "pk")
        .values(
            *PERSON_FIELDS,
            "order__order_number",
            "order__title",
            "order__deadline",
            "unit__name",
        )
    )
    contacts = (
        figure_rows(figure=figure_by_key("contacts_overdue"), unit=unit, day=day, now=moment)
        .order_by("last_contact_at", "unit__path", "pk")
        .values(*PERSON_FIELDS, "last_contact_at", "managed_from", "unit__name")
    )
    dispatch, contact = str(_("Dispatch item not verified")), str(_("Contact overdue"))
    rows = [
        (
            dispatch,
            *_person(row),
            row["unit__name"],
            f"{row['order__order_number']} {row['order__title']}",
            _local(row["order__deadline"]),
        )
        for row in items
    ]
    rows += [
        (
            contact,
            *_person(row),
            row["unit__name"],
            str(_("Under management from %(day)s") % {"day": row["managed_from"]}),
            _local(row["last_contact_at"]),
        )
        for row in contacts
    ]
    return ReportList(
        key="overdue",
        title=_("Overdue items"),
        columns=[
            Column(_("Kind"), 14),
            *PERSON_COLUMNS,
            UNIT_COLUMN,
            Column(_("Detail"), 18),
            Column(_("Deadline or last contact"), 12),
        ],
        rows=rows,
    )
