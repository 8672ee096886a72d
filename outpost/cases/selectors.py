"""Reads of enforcement cases, always through the scoped querysets. The figures (cases by
kind and state, measures taken, items seized) are counts of the same row sets the lists
show: `case_list`, `measure_list`, `item_list` with the same filters."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from outpost.cases.choices import CaseKind, CaseState, ItemState, MeasureKind
from outpost.cases.models import Case, CustodyMove, DisposalRequest, Measure, SeizedItem


def case_list(
    *, user, kind: str = "", state: str = "", unit=None, since=None, until=None
) -> QuerySet:
    cases = Case.objects.visible_to(user).select_related("unit")
    if unit is not None:
        cases = cases.within(unit)
    if kind:
        cases = cases.filter(kind=kind)
    if state:
        cases = cases.filter(state=state)
    if since:
        cases = cases.filter(occurred_on__gte=since)
    if until:
        cases = cases.filter(occurred_on__lte=until)
    return cases


def measure_list(*, user, unit=None, since=None, until=None) -> QuerySet:
    measures = Measure.objects.visible_to(user).select_related("case", "party")
    if unit is not None:
        measures = measures.within(unit)
    if since:
        measures = measures.filter(case__occurred_on__gte=since)
    if until:
        measures = measures.filter(case__occurred_on__lte=until)
    return measures


def item_list(*, user, state: str = "", case=None, unit=None, since=None, until=None) -> QuerySet:
    items = SeizedItem.objects.visible_to(user).select_related("case", "holder__staff_profile")
    if unit is not None:
        items = items.within(unit)
    if state:
        items = items.filter(state=state)
    if case is not None:
        items = items.filter(case=case)
    if since:
        items = items.filter(case__occurred_on__gte=since)
    if until:
        items = items.filter(case__occurred_on__lte=until)
    return items


def custody_chain(item: SeizedItem, user) -> QuerySet:
    return (
        CustodyMove.objects.visible_to(user)
        .filter(item=item)
        .select_related(
            "from_user__staff_profile",
            "to_user__staff_profile",
            "approved_by__staff_profile",
        )
        .order_by("at", "pk")
    )


def pending_disposals(*, user) -> QuerySet:
    """Disposal requests waiting for a second officer: the user's colleagues' (not their own)."""
    return (
        DisposalRequest.objects.visible_to(user)
        .filter(status="pending")
        .exclude(requested_by=user)
        .select_related("item__case", "requested_by__staff_profile")
    )


@dataclass
class CaseFigures:
    """Cases by kind and state, measures taken, items seized: each a count of the lists'
    rows (`case_list`, `measure_list`, `item_list` with the same arguments)."""

    by_kind_state: dict[str, Counter] = field(default_factory=dict)
    by_state: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)
    measures: Counter = field(default_factory=Counter)
    detention_days: int = 0
    fines_total: Decimal = Decimal("0")
    fines_paid: Decimal = Decimal("0")
    items_by_state: Counter = field(default_factory=Counter)
    items_by_measure: dict[str, Decimal] = field(default_factory=dict)

    @property
    def cases(self) -> int:
        return sum(self.by_state.values())

    @property
    def items(self) -> int:
        return sum(self.items_by_state.values())

    def kind_rows(self):
        """(kind, label, counts per state in CaseState order, total) for the table."""
        for kind in CaseKind:
            counts = self.by_kind_state.get(kind.value, Counter())
            if counts:
                yield (
                    kind,
                    [counts.get(state.value, 0) for state in CaseState],
                    sum(counts.values()),
                )


def case_figures(
    *, user, unit=None, since: datetime.date | None = None, until: datetime.date | None = None
) -> CaseFigures:
    figures = CaseFigures()
    rows = (
        case_list(user=user, unit=unit, since=since, until=until)
        .order_by()
        .values("kind", "state")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        figures.by_kind_state.setdefault(row["kind"], Counter())[row["state"]] += row["n"]
        figures.by_state[row["state"]] += row["n"]
        figures.by_kind[row["kind"]] += row["n"]
    measures = measure_list(user=user, unit=unit, since=since, until=until).order_by()
    for row in measures.values("kind").annotate(
        n=Count("pk"), days=Sum("detention_days"), amount=Sum("fine_amount")
    ):
        figures.measures[row["kind"]] = row["n"]
        if row["kind"] == MeasureKind.DETENTION:
            figures.detention_days = row["days"] or 0
        if row["kind"] == MeasureKind.FINE:
            figures.fines_total = row["amount"] or Decimal("0")
    figures.fines_paid = measures.filter(kind=MeasureKind.FINE, fine_paid=True).aggregate(
        s=Sum("fine_amount")
    )["s"] or Decimal("0")
    items = item_list(user=user, unit=unit, since=since, until=until).order_by()
    for row in items.values("state").annotate(n=Count("pk")):
        figures.items_by_state[row["state"]] = row["n"]
    for row in items.values("measure").annotate(q=Sum("quantity")):
        figures.items_by_measure[row["measure"]] = row["q"]
    return figures


STATE_ORDER = [state.value for state in CaseState]
ITEM_STATE_ORDER = [state.value for state in ItemState]
