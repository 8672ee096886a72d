"""Reads of the screening module (STYLE rule 6): scoped where the rows are personal data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import UnitKind
from outpost.core.identity import canonical_number
from outpost.core.models import PATH_SEPARATOR, Unit
from outpost.core.scoping import in_subtree, scope_base, user_covers
from outpost.screening.choices import DiscrepancyStatus, LinkStatus, RunStatus
from outpost.screening.models import (
    Feed,
    FeedRow,
    OriginCategory,
    RiskDesignation,
    ScreeningResult,
    ScreeningRun,
    TravelDiscrepancy,
)
from outpost.screening.regions import region_codes_upwards


def origin_category_for(region_code: str, on_date: datetime.date) -> OriginCategory | None:
    """The origin category of an arrival from ``region_code`` on ``on_date``.

    The most specific designation in force that day wins: the county's own, else its
    city's, else its province's; a place no designation names falls to the designation
    without a region (elsewhere). None when no designation is in force that day (or the
    code is not a region code).
    """
    designation = risk_designation_for(region_code, on_date)
    return designation.category if designation else None


def risk_designation_for(region_code: str, on_date: datetime.date) -> RiskDesignation | None:
    """The designation that gives an arrival from ``region_code`` on ``on_date`` its origin
    category (see `origin_category_for`); its ``region`` is None for the catch-all
    (elsewhere) designation."""
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
    return best


def designations_in_force(*, on: datetime.date) -> QuerySet[RiskDesignation]:
    """The designations in force on a day (China time): `on` within [start, end]."""
    return RiskDesignation.objects.filter(start_date__lte=on, end_date__gte=on)


@dataclass
class FeedOutsideDesignations:
    """A feed none of whose arrival dates lies in the window of a designation in force."""

    feed: Feed
    first: datetime.date | None
    last: datetime.date | None


def feeds_outside_designations_in_force(
    *, feeds, on: datetime.date
) -> list[FeedOutsideDesignations]:
    """The feeds whose arrivals a run on day `on` cannot place in any risk region: not one
    of their rows' arrival dates falls within a designation in force that day (or none is
    in force). A few queries whatever the number of feeds."""
    feeds = list(feeds)
    if not feeds:
        return []
    windows = Q(pk__in=[])
    for start, end in designations_in_force(on=on).values_list("start_date", "end_date"):
        windows |= Q(arrival_date__range=(start, end))
    rows = FeedRow.objects.filter(feed__in=feeds, arrival_date__isnull=False).order_by()
    covered = set(rows.filter(windows).values_list("feed_id", flat=True).distinct())
    ranges = {
        row["feed_id"]: row
        for row in rows.values("feed_id").annotate(
            first=Min("arrival_date"), last=Max("arrival_date")
        )
    }
    return [
        FeedOutsideDesignations(
            feed=feed,
            first=ranges.get(feed.pk, {}).get("first"),
            last=ranges.get(feed.pk, {}).get("last"),
        )
        for feed in feeds
        if feed.pk not in covered
    ]


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
    """Runs of the user's subtree and the runs of the units above it, each with
    ``found``: the residents it linked in the user's subtree (not the run's whole total)."""
    found = (
        ScreeningResult.objects.visible_to(user)
        .filter(run=OuterRef("pk"))
        .exclude(status=LinkStatus.REVIEW)
        .order_by()
        .values("run")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        ScreeningRun.objects.visible_to(user)
        .select_related("unit")
        .annotate(found=Coalesce(Subquery(found), 0))
    )


def screening_run_counts_for(*, user, run: ScreeningRun) -> dict:
    """The run's stored totals for a user who sees all of its unit; for a user below it
    (an office seeing the station's run), the same keys counted over their own results
    only, without the feed totals, which are the whole run's."""
    if user_covers(user, run.unit):
        return run.counts
    categories: dict[str, int] = {}
    linked = review = 0
    for code, status, n in (
        ScreeningResult.objects.visible_to(user)
        .filter(run=run)
        .order_by()
        .values_list("category__code", "status")
        .annotate(n=Count("pk"))
    ):
        if status == LinkStatus.REVIEW:
            review += n
            continue
        linked += n
        if code:
            categories[code] = categories.get(code, 0) + n
    return {"categories": categories, "linked": linked, "review": review} if run.counts else {}


def screening_run_follow_up(*, user, run: ScreeningRun) -> dict[str, int]:
    """What a run leaves to do in the user's subtree: feed identities to review and
    concealed-travel discrepancies raised (the run's stored totals are the whole run's)."""
    return {
        "review": ScreeningResult.objects.visible_to(user)
        .filter(run=run, status=LinkStatus.REVIEW)
        .values("identity_key")
        .distinct()
        .count(),
        # The figure of the list its button opens.
        "discrepancies": travel_discrepancy_list(user=user, status="all", run=run).count(),
    }


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
    # (category label, count) in the same order: a phone's card labels each figure.
    labelled_cells: list[tuple[str, int]] = field(default_factory=list)

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
    materialized path in Python (as the registry's campaign progress). A user below the
    run's unit (an office seeing the station's run) gets their own unit as the base: the
    figures of their subtree, never the station's."""
    base = scope_base(user, run.unit)
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
        row.labelled_cells = [(c.label, n) for c, n in zip(categories, row.cells, strict=True)]
    return RunCounts(categories=categories, base=base_row, rows=rows)


def screening_run_results(*, user, run: ScreeningRun) -> QuerySet[ScreeningResult]:
    return (
        ScreeningResult.objects.visible_to(user)
        .filter(run=run)
        .select_related("resident", "unit", "category")
        .order_by("status", "category__order", "unit__path", "resident__name")
    )


# ---------------------------------------------------------------------------- review queue

RULE_LABELS = {
    "id_exact": _("same ID number"),
    "id_one_edit": _("ID number one digit apart"),
    "phone": _("same phone, similar name"),
    "phone_one_edit": _("phone one digit apart, same name"),
    "name_birth_date": _("same name and birth date"),
    "decision": _("decided by a user"),
}


@dataclass
class ReviewCandidate:
    """A resident who may be the person of a feed identity, and what they share."""

    result: ScreeningResult
    agreed: list[str]

    @property
    def resident(self):
        return self.result.resident


@dataclass
class ReviewItem:
    """One uncertain feed identity of a run (待确认): its feed rows and its candidates."""

    run: ScreeningRun
    identity_key: str
    rows: list[FeedRow]
    sources: list[dict]
    candidates: list[ReviewCandidate] = field(default_factory=list)

    @property
    def dom_id(self) -> str:
        return f"review-{self.run.pk}-{self.identity_key}"

    @property
    def first(self) -> ScreeningResult:
        return self.candidates[0].result

    @property
    def rule_label(self) -> str:
        rule = self.first.rule
        return RULE_LABELS.get(rule, rule)


def _latest_done_runs(user) -> list[int]:
    """The newest finished run of each unit the user can see (older runs of the same unit
    are superseded: their queue is not shown station-wide)."""
    latest: dict[int, int] = {}
    for pk, unit_id in (
        ScreeningRun.objects.visible_to(user)
        .filter(status=RunStatus.DONE)
        .order_by("unit_id", "-created_at", "-pk")
        .values_list("pk", "unit_id")
    ):
        latest.setdefault(unit_id, pk)
    return list(latest.values())


def review_results(*, user, run: ScreeningRun | None = None) -> QuerySet[ScreeningResult]:
    """Review rows the user may see, of `run` or of the newest finished run of each unit."""
    results = ScreeningResult.objects.visible_to(user).filter(status=LinkStatus.REVIEW)
    if run is not None:
        results = results.filter(run=run)
    else:
        results = results.filter(run_id__in=_latest_done_runs(user))
    return results.select_related("run__unit", "resident__household", "resident__unit").order_by(
        "-run__created_at", "run_id", "identity_key", "-score", "resident__name", "pk"
    )


def _birth_digits(id_number: str) -> str:
    id_number = (id_number or "").strip()
    return id_number[6:14] if len(id_number) == 18 else ""


def _agreed(rows: list[FeedRow], resident) -> list[str]:
    from outpost.screening.engine import normalize_name

    agreed = []
    name = normalize_name(resident.name)
    if any(normalize_name(r.name) == name and name for r in rows):
        agreed.append(_("name"))
    id_number = canonical_number(resident.id_number)
    if id_number and any(canonical_number(r.id_number) == id_number for r in rows):
        agreed.append(_("ID number"))
    if resident.phone and any(r.phone.strip() == resident.phone.strip() for r in rows):
        agreed.append(_("phone"))
    born = resident.birth_date.strftime("%Y%m%d") if resident.birth_date else ""
    if born and any(_birth_digits(r.id_number) == born for r in rows):
        agreed.append(_("birth date"))
    return agreed


def review_items(*, user, results: QuerySet[ScreeningResult] | list) -> list[ReviewItem]:
    """Group review rows by run and feed identity, with the identity's feed rows (those the
    user may see) side by side with each candidate: two queries whatever the number."""
    results = list(results)
    row_ids = {
        s["row_id"] for r in results for s in r.sources or [] if isinstance(s.get("row_id"), int)
    }
    rows = {
        row.pk: row
        for row in FeedRow.objects.visible_to(user)
        .filter(pk__in=row_ids)
        .select_related("feed")
        .order_by("feed_id", "row_number")
    }
    items: dict[tuple, ReviewItem] = {}
    for result in results:
        key = (result.run_id, result.identity_key)
        item = items.get(key)
        if item is None:
            item = items[key] = ReviewItem(
                run=result.run, identity_key=result.identity_key, rows=[], sources=[]
            )
        for source in result.sources or []:
            row = rows.get(source.get("row_id"))
            if row is not None and row not in item.rows:
                item.rows.append(row)
            elif row is None and source not in item.sources:
                item.sources.append(source)
        item.candidates.append(ReviewCandidate(result=result, agreed=[]))
    for item in items.values():
        for candidate in item.candidates:
            candidate.agreed = _agreed(item.rows, candidate.resident)
    return list(items.values())


def review_item(*, user, run_id: int, identity_key: str) -> ReviewItem | None:
    """The open review item of one identity of a run, or None once it is decided."""
    results = (
        ScreeningResult.objects.visible_to(user)
        .filter(status=LinkStatus.REVIEW, run_id=run_id, identity_key=identity_key)
        .select_related("run__unit", "resident__household", "resident__unit")
        .order_by("-score", "resident__name", "pk")
    )
    items = review_items(user=user, results=results)
    return items[0] if items else None


# ---------------------------------------------------------------------------- discrepancies

DISCREPANCY_FILTERS = ("open", "resolved", "all")


def travel_discrepancy_list(
    *,
    user,
    status: str = "open",
    community: Unit | None = None,
    run: ScreeningRun | None = None,
) -> QuerySet[TravelDiscrepancy]:
    """Concealed-travel discrepancies the user may see: open ones, verified ones or all, of
    a community, or of a run (those its feeds show for its unit's residents)."""
    discrepancies = TravelDiscrepancy.objects.visible_to(user)
    if status == "open":
        discrepancies = discrepancies.filter(status=DiscrepancyStatus.OPEN)
    elif status == "resolved":
        discrepancies = discrepancies.exclude(status=DiscrepancyStatus.OPEN)
    if community is not None:
        discrepancies = discrepancies.within(community)
    if run is not None:
        discrepancies = discrepancies.filter(in_subtree(run.unit), feed_row__feed__runs=run)
    return discrepancies.select_related("resident", "unit", "category").order_by(
        "-created_at", "-pk"
    )


def discrepancy_communities(*, user) -> QuerySet[Unit]:
    return Unit.objects.visible_to(user).filter(kind=UnitKind.COMMUNITY).order_by("path")
