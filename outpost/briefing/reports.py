"""The daily report (每日信息通报) of one unit for one day: its figures with the changes since
the day before and the week before, its units below, and the lists behind the figures.

A day that has been closed is read from its snapshot, so its report never changes; a day
not frozen yet (today, or a day the scheduler missed) is counted live and says so. Deltas
come from snapshots only: a delta without a snapshot to compare with is None, not a guess.

Each list is the row set of one figure (`LISTED`), titled with the figure's label: frozen
with the day's snapshot for a closed day, counted at the same moment as the figure for a
day not frozen. The rows are read through the scoped manager for the user who asks, and
hold masked fields only: names as they are, ID numbers and phones masked.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, fields

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from outpost.briefing.figures import (
    Figure,
    figure_by_key,
    figure_list,
    figure_rows,
    serving_rows,
    subtree_figures,
)
from outpost.briefing.models import DailySnapshot
from outpost.core.i18n import data_name
from outpost.core.identity import display_id_number, mask_id_number, mask_phone
from outpost.core.models import Unit
from outpost.enterprises.notices.choices import EscalationLevel
from outpost.enterprises.supplies.choices import RequestKind, RequestStatus
from outpost.keypersons.choices import KeyPersonCategory, KeyPersonStatus
from outpost.keypersons.models import ContactEntry
from outpost.observation.choices import AlertKind, AlertOutcome, AlertStatus

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
    """The daily report (每日信息通报): the day's figures and, for the figures of people and
    events, the list of the rows each counts (`LISTED`), titled with the figure's label."""

    lists: list[ReportList]

    @property
    def list_rows(self) -> int:
        return sum(len(report_list.rows) for report_list in self.lists)


@dataclass(frozen=True)
class FigureRows:
    """The rows behind one figure of a unit on a day: the pks frozen with the day's snapshot
    (its count is their number), or, for a day not frozen, the figure's query at the day's
    moment (its count is that query's count)."""

    figure: Figure
    query: QuerySet
    frozen: list[int] | None

    @property
    def model(self):
        return self.query.model

    def count(self) -> int:
        return len(self.frozen) if self.frozen is not None else self.query.count()

    def scoped(self, user) -> QuerySet:
        """Every row of the figure's model `user` may see (with, for a figure that serves
        below, the rows of the units above theirs)."""
        if self.figure.serves_below:
            return serving_rows(figure=self.figure, user=user)
        return self.model.objects.visible_to(user)

    def visible(self, user) -> list[QuerySet]:
        """The rows `user` may see, read through the scoped manager: the live query, or the
        frozen pks in chunks (a station's lists can hold more ids than a query may bind)."""
        scoped = self.scoped(user)
        if self.frozen is None:
            return [self.query.filter(pk__in=scoped.values("pk"))]
        return [
            scoped.filter(pk__in=self.frozen[start : start + FROZEN_CHUNK])
            for start in range(0, len(self.frozen), FROZEN_CHUNK)
        ]


FROZEN_CHUNK = 5000


def day_close(day: datetime.date) -> datetime.datetime:
    """The end of `day` in the project's time zone: what a past day's states are as of."""
    next_day = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(next_day)


def day_moment(day: datetime.date, now: datetime.datetime) -> datetime.datetime:
    """The moment the states (open, overdue) of `day` are counted at: now for today, the
    day's close for a past day (or now, if a snapshot is taken before the close)."""
    return now if day >= timezone.localdate(now) else min(now, day_close(day))


def figure_rows_of_day(
    *,
    figure: Figure,
    unit: Unit,
    day: datetime.date,
    now: datetime.datetime | None = None,
    snapshot: DailySnapshot | None = None,
) -> FigureRows:
    """The rows behind `figure` of `unit` on `day`, as the day's figures count them: frozen
    with the unit's snapshot of the day when there is one (pass it if already read), else
    counted at the day's moment. Not user-scoped: `FigureRows.visible(user)` is."""
    now = now or timezone.now()
    if snapshot is None:
        snapshot = DailySnapshot.objects.filter(unit=unit, day=day).first()
    query = figure_rows(figure=figure, unit=unit, day=day, now=day_moment(day, now))
    frozen = snapshot.frozen_pks(figure.key) if snapshot is not None else None
    return FigureRows(figure=figure, query=query, frozen=frozen)


def day_figures(
    *, unit: Unit, day: datetime.date, now: datetime.datetime | None = None
) -> DayFigures:
    """The figures of `unit` (and everything below it) for `day`, with the children's;
    not user-scoped: pass a unit the user may see."""
    now = now or timezone.now()
    moment = day_moment(day, now)
    figures = figure_list()
    children = list(Unit.objects.filter(parent=unit, is_active=True).order_by("path"))
    snapshots = {
        (s.unit_id, s.day): s
        for s in DailySnapshot.objects.filter(
            unit_id__in=[unit.pk, *(child.pk for child in children)],
            day__in=[day, day - datetime.timedelta(days=1), day - datetime.timedelta(days=7)],
        ).defer("rows")
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
    *, user, unit: Unit, day: datetime.date, now: datetime.datetime | None = None
) -> DailyReport:
    """The report of `unit` (and everything below it) for `day`; its lists hold the rows
    `user` may see (the scoped manager), each the row set its figure counts."""
    now = now or timezone.now()
    figures = day_figures(unit=unit, day=day, now=now)
    snapshot = None if figures.live else DailySnapshot.objects.get(unit=unit, day=day)
    lists = []
    for key, build in LISTED.items():
        figure = figure_by_key(key)
        rows = figure_rows_of_day(figure=figure, unit=unit, day=day, now=now, snapshot=snapshot)
        lists.append(build(figure, rows, user, figures.moment))
    return DailyReport(
        **{field.name: getattr(figures, field.name) for field in fields(DayFigures)},
        lists=lists,
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
            mask_id_number(
                display_id_number(
                    id_number=row[f"{resident}id_number"],
                    document_number=row[f"{resident}document_number"],
                    own_number=row.get(f"{prefix}id_number", ""),
                )
            ),
            mask_phone(row[f"{resident}phone"]),
        )
    return (
        row[f"{prefix}name"],
        mask_id_number(display_id_number(own_number=row[f"{prefix}id_number"])),
        mask_phone(row[f"{prefix}phone"]),
    )


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _values(querysets: list[QuerySet], *names: str, order: tuple[str, ...]) -> list[dict]:
    """The rows of the querysets as dicts, in `order` (None first), whatever the chunking."""
    rows = [row for queryset in querysets for row in queryset.values(*names, *order)]
    return sorted(rows, key=lambda row: [(row[n] is not None, row[n]) for n in order])


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


def _arrivals(figure: Figure, rows: FigureRows, user, moment) -> ReportList:
    values = _values(
        rows.visible(user),
        "resident__name",
        "resident__id_number",
        "resident__document_number",
        "resident__phone",
        "category__name",
        "category__name_en",
        "arrival_date",
        "unit__name",
        order=("unit__path", "resident__name", "pk"),
    )
    return ReportList(
        key=figure.key,
        title=figure.label,
        columns=[
            *PERSON_COLUMNS,
            Column(_("Origin category"), 18),
            Column(_("Arrival date"), 11),
            UNIT_COLUMN,
        ],
        rows=[
            (
                *_person(row),
                data_name(row["category__name"] or "", row["category__name_en"] or ""),
                row["arrival_date"].isoformat() if row["arrival_date"] else "",
                row["unit__name"],
            )
            for row in values
        ],
    )


def _new_key_persons(figure: Figure, rows: FigureRows, user, moment) -> ReportList:
    categories = dict(KeyPersonCategory.choices)
    statuses = dict(KeyPersonStatus.choices)
    values = _values(
        rows.visible(user),
        *PERSON_FIELDS,
        "category",
        "status",
        "unit__name",
        order=("unit__path", "pk"),
    )
    return ReportList(
        key=figure.key,
        title=figure.label,
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
            for row in values
        ],
    )


def _alerts(figure: Figure, rows: FigureRows, user, moment) -> ReportList:
    kinds, statuses, outcomes = (
        dict(choices.choices) for choices in (AlertKind, AlertStatus, AlertOutcome)
    )
    prefix = "episode__key_person__"
    values = _values(
        rows.visible(user),
        *(prefix + field for field in PERSON_FIELDS),
        "kind",
        "status",
        "outcome",
        "transfer_place",
        "unit__name",
        order=("raised_at", "pk"),
    )
    return ReportList(
        key=figure.key,
        title=figure.label,
        columns=[
            Column(_("Raised"), 11),
            Column(_("Alert type"), 11),
            *PERSON_COLUMNS,
            UNIT_COLUMN,
            Column(_("Status"), 8),
            Column(pgettext_lazy("alert", "Outcome"), 14),
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
            for row in values
        ],
    )


def _overdue_items(figure: Figure, rows: FigureRows, user, moment) -> ReportList:
    """Dispatch items not verified by their order's deadline, as of the report's moment."""
    values = _values(
        rows.visible(user),
        *PERSON_FIELDS,
        "order__order_number",
        "order__title",
        "unit__name",
        order=("order__deadline", "unit__path", "pk"),
    )
    return ReportList(
        key=figure.key,
        title=figure.label,
        columns=[
            *PERSON_COLUMNS,
            UNIT_COLUMN,
            Column(_("Dispatch order"), 18),
            Column(_("Deadline"), 12),
        ],
        rows=[
            (
                *_person(row),
                row["unit__name"],
                f"{row['order__order_number']} {row['order__title']}",
                _local(row["order__deadline"]),
            )
            for row in values
        ],
    )


def _overdue_contacts(figure: Figure, rows: FigureRows, user, moment) -> ReportList:
    """Key persons whose contact was overdue at the report's moment, with their last contact
    before it."""
    last = ContactEntry.objects.filter(key_person=OuterRef("pk"), contacted_at__lt=moment)
    querysets = [
        queryset.annotate(
            last_contact_before=Subquery(last.order_by("-contacted_at").values("contacted_at")[:1])
        )
        for queryset in rows.visible(user)
    ]
    values = _values(
        querysets,
        *PERSON_FIELDS,
        "managed_from",
        "unit__name",
        order=("last_contact_before", "unit__path", "pk"),
    )
    return ReportList(
        key=figure.key,
        title=figure.label,
        columns=[
            *PERSON_COLUMNS,
            UNIT_COLUMN,
            Column(_("Under management from"), 14),
            Column(_("Last contact"), 14),
        ],
        rows=[
            (
                *_person(row),
                row["unit__name"],
                row["managed_from"].isoformat() if row["managed_from"] else "",
                _local(row["last_contact_before"]),
            )
            for row in values
        ],
    )


def _overdue_requests(figure: Figure, rows: FigureRows, user, moment) -> ReportList:
    """Enterprises' requests the station had not answered by their deadline."""
    kinds, statuses = dict(RequestKind.choices), dict(RequestStatus.choices)
    values = _values(
        rows.visible(user),
        "summary",
        "kind",
        "status",
        "filed_at",
        "enterprise__name",
        "enterprise__unit__name",
        order=("due_at", "pk"),
    )
    return ReportList(
        key=figure.key,
        title=figure.label,
        columns=[
            Column(pgettext_lazy("enterprise request", "Request"), 10),
            Column(_("Enterprise"), 24),
            Column(_("Kind"), 14),
            Column(pgettext_lazy("enterprise request", "Summary"), 24),
            Column(_("Status"), 10),
            Column(_("Filed"), 16),
            Column(_("Deadline"), 16),
            UNIT_COLUMN,
        ],
        rows=[
            (
                f"SQ{row['pk']:06d}",
                row["enterprise__name"],
                str(kinds.get(row["kind"], "")),
                row["summary"],
                str(statuses.get(row["status"], "")),
                _local(row["filed_at"]),
                _local(row["due_at"]),
                row["enterprise__unit__name"],
            )
            for row in values
        ],
    )


def _unconfirmed_receipts(figure: Figure, rows: FigureRows, user, moment) -> ReportList:
    """The enterprises that had not confirmed reading a notice, and how far the reminders
    went."""
    levels = dict(EscalationLevel.choices)
    values = _values(
        rows.visible(user),
        "notice__title",
        "enterprise__name",
        "escalation_level",
        "enterprise__unit__name",
        order=("notice__deadline", "enterprise__name", "pk"),
    )
    return ReportList(
        key=figure.key,
        title=figure.label,
        columns=[
            Column(_("Notice"), 30),
            Column(_("Enterprise"), 24),
            Column(_("Confirm by"), 16),
            Column(_("Escalation"), 18),
            UNIT_COLUMN,
        ],
        rows=[
            (
                row["notice__title"],
                row["enterprise__name"],
                _local(row["notice__deadline"]),
                str(levels.get(row["escalation_level"], "")),
                row["enterprise__unit__name"],
            )
            for row in values
        ],
    )


def _quantity(row: dict) -> str:
    measure = data_name(row["item__unit_of_measure"], row["item__unit_of_measure_en"] or "")
    return f"{row['quantity']} {measure}"


LEDGER_FIELDS = (
    "item__name",
    "item__name_en",
    "item__unit_of_measure",
    "item__unit_of_measure_en",
    "quantity",
    "unit__name",
)


def _supplies_in(figure: Figure, rows: FigureRows, user, moment) -> ReportList:
    """The day's ledger lines into the stores: what was received, how much, from whom."""
    values = _values(
        rows.visible(user), *LEDGER_FIELDS, "donation__donor__name", order=("at", "pk")
    )
    return ReportList(
        key=figure.key,
        title=figure.label,
        columns=[
            Column(_("Time"), 16),
            Column(pgettext_lazy("supplies", "Item"), 16),
            Column(_("Quantity"), 12),
            Column(_("Donor"), 24),
            Column(_("Store"), 16),
        ],
        rows=[
            (
                _local(row["at"]),
                data_name(row["item__name"], row["item__name_en"] or ""),
                _quantity(row),
                row["donation__donor__name"],
                row["unit__name"],
            )
            for row in values
        ],
    )


def _supplies_out(figure: Figure, rows: FigureRows, user, moment) -> ReportList:
    """The day's ledger lines out of the stores: what was given, how much, to whom."""
    values = _values(
        rows.visible(user),
        *LEDGER_FIELDS,
        "distribution__recipient__name",
        "distribution__recipient_unit__name",
        "distribution__signed_for_by",
        order=("at", "pk"),
    )
    return ReportList(
        key=figure.key,
        title=figure.label,
        columns=[
            Column(_("Time"), 16),
            Column(pgettext_lazy("supplies", "Item"), 16),
            Column(_("Quantity"), 12),
            Column(_("Recipient"), 24),
            Column(_("Signed for by"), 12),
            Column(_("Store"), 16),
        ],
        rows=[
            (
                _local(row["at"]),
                data_name(row["item__name"], row["item__name_en"] or ""),
                _quantity(row),
                row["distribution__recipient__name"] or row["distribution__recipient_unit__name"],
                row["distribution__signed_for_by"],
                row["unit__name"],
            )
            for row in values
        ],
    )


def _unreported(figure: Figure, rows: FigureRows, user, moment) -> ReportList:
    """The essential enterprises without their employees' tests of the day (催报)."""
    values = _values(rows.visible(user), "name", "credit_code", "unit__name", order=("name", "pk"))
    return ReportList(
        key=figure.key,
        title=figure.label,
        columns=[
            Column(_("Enterprise"), 30),
            Column(_("Unified social credit code"), 20),
            UNIT_COLUMN,
        ],
        rows=[(row["name"], row["credit_code"], row["unit__name"]) for row in values],
    )


# The figures of the report that come with their list, in the report's order.
LISTED = {
    "arrivals_new": _arrivals,
    "key_persons_new": _new_key_persons,
    "alerts_raised": _alerts,
    "dispatch_overdue": _overdue_items,
    "contacts_overdue": _overdue_contacts,
    "requests_overdue": _overdue_requests,
    "notices_unconfirmed": _unconfirmed_receipts,
    "supplies_in": _supplies_in,
    "supplies_out": _supplies_out,
    "enterprises_unreported": _unreported,
    "employee_fevers": _alerts,
}
