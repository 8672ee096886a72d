"""Reads of the screening module (STYLE rule 6): scoped where the rows are personal data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from outpost.core.choices import UnitKind
from outpost.core.models import PATH_SEPARATOR, Unit
from outpost.screening.choices import LinkStatus
from outpost.screening.models import (
    Feed,
    FeedRow,
    OriginCategory,
    RiskDesignation,
    ScreeningResult,
    ScreeningRun,
)
from outpost.screening.regions import region_codes_upwards


def origin_category_for(region_code: str, on_date: datetime.date) -> OriginCategory | None:
    """The origin category of an arrival from ``region_code`` on ``on_date``.

    The most specific designation in force that day wins: the county's own, else its
    city's, else its province's; a place no designation names falls to the designation
    without a region (elsewhere). None when no designation is in force that day (or the
    code is not a region code).
    """
    codes = region_codes_upwards(region_code)
    if not codes or on_date is None:
        return None
    in_force = (
        RiskDesignation.objects.filter(start_date__lte=on_date, end_date__gte=on_date)
        .filter(Q(region__code__in=codes) | Q(region__isnull=True))
        .select_related("category", "region")
    )
    rank = {code: position for position, code in enumerate(codes)}
    best = min(
        in_force,
        key=lambda d: (rank[d.region.code] if d.region_id else len(codes), d.pk),
        default=None,
    )
    return best.category if best else None


def designation_list() -> QuerySet[RiskDesignation]:
    return RiskDesignation.objects.select_related("region", "category").order_by(
        "-start_date", "category__order", "region__code"
    )


def feed_list(*, user) -> QuerySet[Feed]:
    return Feed.objects.visible_to(user).select_related("unit", "uploaded_by__staff_profile")


def feed_rows(*, feed: Feed, user, errors_only: bool = False) -> QuerySet[FeedRow]:
    rows = FeedRow.objects.visible_to(user).filter(feed=feed)
    if errors_only:
        rows = rows.exclude(parse_errors=[])
    return rows.order_by("row_number")


def screening_run_list(*, user) -> QuerySet[ScreeningRun]:
    return ScreeningRun.objects.visible_to(user).select_related("unit")


@dataclass
class RunCountRow:
    """One unit's line of a run's counts: residents per origin category."""

    unit_id: int
    name: str
    kind: str
    path: str
    by_category: dict[int, int] = field(default_factory=dict)
    review: int = 0
    cells: list[int] = field(default_factory=list)  # counts in the order of the categories

    @property
    def depth(self) -> int:
        return self.path.count(PATH_SEPARATOR)


@dataclass
class RunCounts:
    categories: list[OriginCategory]
    base: RunCountRow
    rows: list[RunCountRow]  # offices, communities and grids below the base, by path


SHOWN_KINDS = (UnitKind.POLICE_OFFICE, UnitKind.COMMUNITY, UnitKind.GRID)


def screening_run_counts(*, user, run: ScreeningRun) -> RunCounts:
    """Residents per origin category for the run's unit and every office, community and
    grid below it that has any: one aggregate query grouped by unit, rolled up the
    materialized path in Python (as the registry's campaign progress)."""
    base = run.unit
    units = {
        u["path"]: RunCountRow(unit_id=u["pk"], name=u["name"], kind=u["kind"], path=u["path"])
        for u in Unit.objects.visible_to(user)
        .subtree(base)
        .values("pk", "name", "kind", "path")
        .order_by("path")
    }
    by_id = {row.unit_id: row for row in units.values()}
    counts = (
        ScreeningResult.objects.visible_to(user)
        .filter(run=run)
        .order_by()
        .values_list("unit_id", "category_id", "status")
        .annotate(n=Count("pk"))
    )
    for unit_id, category_id, status, n in counts:
        row = by_id.get(unit_id)
        if row is None:
            continue
        codes = [c for c in row.path.split(PATH_SEPARATOR) if c]
        for i in range(1, len(codes) + 1):
            target = units.get(PATH_SEPARATOR.join(codes[:i]) + PATH_SEPARATOR)
            if target is None:
                continue
            if status == LinkStatus.REVIEW:
                target.review += n
            elif category_id is not None:
                target.by_category[category_id] = target.by_category.get(category_id, 0) + n
    base_row = units.get(base.path) or RunCountRow(
        unit_id=base.pk, name=base.name, kind=base.kind, path=base.path
    )
    rows = [
        row
        for path, row in units.items()
        if path != base.path and row.kind in SHOWN_KINDS and (row.by_category or row.review)
    ]
    categories = list(OriginCategory.objects.all())
    for row in [base_row, *rows]:
        row.cells = [row.by_category.get(c.pk, 0) for c in categories]
    return RunCounts(categories=categories, base=base_row, rows=rows)


def screening_run_results(*, user, run: ScreeningRun) -> QuerySet[ScreeningResult]:
    return (
        ScreeningResult.objects.visible_to(user)
        .filter(run=run)
        .select_related("resident", "unit", "category")
        .order_by("status", "category__order", "unit__path", "resident__name")
    )
