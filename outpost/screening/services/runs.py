"""Screening runs (大数据比对): compute matches and categories, start and execute runs."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.chunks import chunked
from outpost.core.models import Unit
from outpost.core.recovery import interrupted_message
from outpost.core.scoping import in_subtree, lineage_paths
from outpost.notify.choices import MessageKind
from outpost.notify.services import notification_send
from outpost.registry.models import Resident
from outpost.screening import engine
from outpost.screening.choices import LinkStatus, RunStatus
from outpost.screening.models import (
    FeedRow,
    MatchDecision,
    OriginCategory,
    ScreeningResult,
    ScreeningRun,
)
from outpost.screening.selectors import origin_category_for
from outpost.screening.services.discrepancies import travel_discrepancies_raise
from outpost.screening.services.feeds import BATCH_SIZE
from outpost.screening.services.parquet import (
    feed_rows_to_parquet,
    private_workdir,
    residents_present,
    residents_to_parquet,
)


@dataclass(slots=True)
class SourceRow:
    """A feed row as a screening needs it (from the database or straight from a file)."""

    row_id: Any
    feed: str
    row_number: int
    name: str
    id_number: str
    phone: str
    origin_region_code: str
    arrival_date: datetime.date | None


@dataclass(slots=True)
class StoredFeedRows:
    """A run's feed rows (`rows`, the queryset in the acting user's scope) exported to Parquet
    (`feed_rows_to_parquet`): the engine reads the file; what a screening needs of the rows
    it links (their feed, row, origin and arrival) is read back from the same queryset for
    those rows only."""

    path: Path
    count: int
    feed_names: dict[int, str]
    rows: QuerySet[FeedRow]

    def details(self, row_ids: Iterable[int]) -> dict[int, SourceRow]:
        rows: dict[int, SourceRow] = {}
        for chunk in chunked(sorted(set(row_ids)), BATCH_SIZE):
            for pk, feed_id, number, code, arrival in self.rows.filter(pk__in=chunk).values_list(
                "pk", "feed_id", "row_number", "origin_region_code", "arrival_date"
            ):
                rows[pk] = SourceRow(
                    row_id=pk,
                    feed=self.feed_names[feed_id],
                    row_number=number,
                    name="",
                    id_number="",
                    phone="",
                    origin_region_code=code,
                    arrival_date=arrival,
                )
        return rows


@dataclass(slots=True)
class ResidentOutcome:
    """What a screening found for one resident, before it is stored."""

    resident_id: int
    status: str
    rule: str
    score: int
    identity_key: str
    category: OriginCategory | None = None
    arrival_date: datetime.date | None = None
    sources: list[dict] = field(default_factory=list)


@dataclass(slots=True)
class Screening:
    outcomes: list[ResidentOutcome]
    rows: int
    unmatched: int
    review_rows: int
    timings: dict[str, float]

    def counts(self) -> dict:
        """Residents per origin category code, plus the rows unmatched and to review."""
        by_category: dict[str, int] = {}
        for outcome in self.outcomes:
            if outcome.status != LinkStatus.REVIEW and outcome.category is not None:
                code = outcome.category.code
                by_category[code] = by_category.get(code, 0) + 1
        return {
            "categories": by_category,
            "linked": sum(o.status != LinkStatus.REVIEW for o in self.outcomes),
            "review": sum(o.status == LinkStatus.REVIEW for o in self.outcomes),
            "rows": self.rows,
            "unmatched_rows": self.unmatched,
            "review_rows": self.review_rows,
        }


def match_decisions(*, unit) -> dict:
    """The remembered decisions that bear on a run over `unit`, in the shape
    `engine.match_feed` takes: those made in the unit, above it or below it — never a
    neighbouring community's."""
    decisions: dict = {}
    in_line = in_subtree(unit) | Q(unit__in=unit.ancestors())
    for key, resident_id, rejected in (
        MatchDecision.objects.filter(in_line)
        .values_list("identity_key", "resident_id", "rejected")
        .order_by("decided_at", "pk")
    ):
        if not rejected:
            decisions[key] = resident_id
        elif resident_id is None:
            decisions[key] = engine.REJECTED
        else:
            decisions[(key, resident_id)] = engine.REJECTED
    return decisions


def _rank(category: OriginCategory | None) -> tuple:
    return (category is None, category.order if category else 0)


def screening_compute(
    *,
    residents: Iterable[Resident] | Path,
    rows: list[SourceRow] | StoredFeedRows,
    decisions: dict,
) -> Screening:
    """Match feed rows to residents with the engine and give each linked resident its
    origin category (the most important one, by the categories' order, when several feed
    rows name the same person). `residents`: Resident objects, or the Parquet file a run
    exported them to (`residents_to_parquet`); `rows`: the feed's rows, or the Parquet file
    a run exported them to. Reads the risk designations; writes nothing."""
    started = time.perf_counter()
    if isinstance(residents, Path):
        resident_cols: dict[str, list] | Path = residents
        known = residents_present(
            residents, {v for v in decisions.values() if v is not engine.REJECTED}
        )
    else:
        resident_cols = {c: [] for c in engine.RESIDENT_COLUMNS}
        for resident in residents:
            resident_cols["resident_id"].append(resident.pk)
            resident_cols["name"].append(resident.name)
            resident_cols["id_number"].append(resident.id_number)
            resident_cols["phone"].append(resident.phone)
            resident_cols["birth_date"].append(resident.birth_date)
        known = set(resident_cols["resident_id"])
    if isinstance(rows, StoredFeedRows):
        feed: dict[str, list] | Path = rows.path
        row_count = rows.count
    else:
        feed = {
            "row_id": [r.row_id for r in rows],
            "name": [r.name for r in rows],
            "id_number": [r.id_number for r in rows],
            "phone": [r.phone for r in rows],
            "birth_date": [None] * len(rows),
        }
        row_count = len(rows)
    # An accepted decision for a resident outside these residents (another unit's run) is
    # not this screening's to apply; rejections apply wherever they are met.
    decisions = {
        key: value for key, value in decisions.items() if value is engine.REJECTED or value in known
    }
    timings = {"read": time.perf_counter() - started}
    result = engine.match_feed(resident_cols, feed, decisions)
    timings.update({f"engine_{k}": v for k, v in result.timings.items()})
    mark = time.perf_counter()
    if isinstance(rows, StoredFeedRows):
        by_id = rows.details(link.row_id for link in result.links)
    else:
        by_id = {row.row_id: row for row in rows}

    categories: dict[tuple, OriginCategory | None] = {}
    outcomes: dict[int, ResidentOutcome] = {}
    review_rows = 0
    for link in result.links:
        row = by_id[link.row_id]
        # row_id: the FeedRow's pk for runs over stored feeds (the review queue shows it).
        source = {"feed": row.feed, "row": row.row_number, "row_id": row.row_id}
        if link.status == engine.REVIEW:
            review_rows += 1
            for candidate in link.candidates:
                outcome = outcomes.get(candidate.resident_id)
                if outcome is None:
                    outcome = outcomes[candidate.resident_id] = ResidentOutcome(
                        resident_id=candidate.resident_id,
                        status=LinkStatus.REVIEW,
                        rule=link.rule,
                        score=candidate.score,
                        identity_key=link.identity_key,
                    )
                if outcome.status == LinkStatus.REVIEW:
                    outcome.sources.append(source)
            continue
        place = (row.origin_region_code, row.arrival_date)
        if place not in categories:
            categories[place] = origin_category_for(*place)
        category = categories[place]
        outcome = outcomes.get(link.resident_id)
        if outcome is None or outcome.status == LinkStatus.REVIEW:
            outcome = outcomes[link.resident_id] = ResidentOutcome(
                resident_id=link.resident_id,
                status=link.status,
                rule=link.rule,
                score=link.score,
                identity_key=link.identity_key,
                category=category,
                arrival_date=row.arrival_date,
            )
        elif _rank(category) < _rank(outcome.category):
            outcome.category, outcome.arrival_date = category, row.arrival_date
        outcome.sources.append(source)
    timings["categories"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return Screening(
        outcomes=list(outcomes.values()),
        rows=row_count,
        unmatched=len(result.unmatched),
        review_rows=review_rows,
        timings=timings,
    )


def _run_progress(run: ScreeningRun, percent: int, **fields) -> None:
    run.progress = percent
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["progress", *fields])


def screening_run_execute(*, acting_user, run: ScreeningRun) -> ScreeningRun:
    """Run the engine for `run` and store its results, replacing any earlier ones (running
    the same run again gives the same rows)."""
    _run_progress(run, 0, status=RunStatus.RUNNING, started_at=timezone.now(), failure="")
    feed_names = dict(run.feeds.values_list("pk", "original_name"))
    # The residents and the feed rows go to the engine as Parquet files (DuckDB reads them
    # within its memory limit, not one Python object per person or row), in clear, in a
    # directory of the run's own that goes with it.
    # What the run reads back afterwards (linked rows, found residents' units) comes from the
    # same querysets, in the acting user's scope.
    residents = Resident.objects.visible_to(acting_user).within(run.unit)
    rows = FeedRow.objects.visible_to(acting_user).filter(feed__in=list(feed_names))
    with private_workdir() as workdir:
        residents_file = workdir / "residents.parquet"
        residents_to_parquet(residents, residents_file)
        _run_progress(run, 10)
        feed_file = workdir / "feed.parquet"
        count = feed_rows_to_parquet(rows, feed_file)
        _run_progress(run, 20)
        screening = screening_compute(
            residents=residents_file,
            rows=StoredFeedRows(feed_file, count, feed_names, rows),
            decisions=match_decisions(unit=run.unit),
        )
    unit_of = _units_of(residents, (o.resident_id for o in screening.outcomes))
    _run_progress(run, 70)
    with transaction.atomic():
        ScreeningResult.objects.filter(run=run).delete()
        discrepancies = screening_results_store(run=run, screening=screening, unit_of=unit_of)
        _run_progress(
            run,
            100,
            status=RunStatus.DONE,
            counts={**screening.counts(), "discrepancies": discrepancies},
            finished_at=timezone.now(),
        )
        if run.counts.get("review"):
            _tell_reviewers(run)
    return run


def _units_of(residents: QuerySet[Resident], resident_ids: Iterable[int]) -> dict[int, int]:
    """Each resident's unit, for the residents a screening found among `residents` (in
    chunks: a query's parameters are limited)."""
    units: dict[int, int] = {}
    for chunk in chunked(sorted(set(resident_ids)), BATCH_SIZE):
        units.update(residents.filter(pk__in=chunk).values_list("pk", "unit_id"))
    return units


def _reviewers(run: ScreeningRun):
    """The active police officers of the units holding the run's review items, or of a
    unit above them inside the run's unit: the review queue waits in their unit."""
    unit_ids = (
        ScreeningResult.objects.filter(run=run, status=LinkStatus.REVIEW)
        .order_by()
        .values_list("unit_id", flat=True)
        .distinct()
    )
    paths = set()
    for path in Unit.objects.filter(pk__in=unit_ids).values_list("path", flat=True):
        paths.update(p for p in lineage_paths(path) if p.startswith(run.unit.path))
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=Role.POLICE_OFFICER,
            staff_profile__unit__path__in=paths,
        )
        .select_related("staff_profile")
        .distinct()
    )


def _tell_reviewers(run: ScreeningRun) -> None:
    def compose() -> tuple[str, str]:
        subject = _("Matches wait for your review: screening run of %(unit)s") % {
            "unit": run.unit.name
        }
        body = _("The engine could not decide some arrivals. Accept or reject each candidate.")
        return subject, body

    notification_send(
        recipients=_reviewers(run),
        kind=MessageKind.REVIEW,
        compose=compose,
        url=reverse("screening:review_list"),
    )


def screening_results_store(*, run: ScreeningRun, screening: Screening, unit_of: dict) -> int:
    """Store what `screening` found as the results of `run` (`unit_of`: each resident's
    unit) and raise its concealed-travel discrepancies (出行信息不一致: linked arrivals whose
    visit declared otherwise); returns how many residents have one."""
    ScreeningResult.objects.bulk_create(
        [
            ScreeningResult(
                run=run,
                resident_id=o.resident_id,
                unit_id=unit_of[o.resident_id],
                category=o.category,
                arrival_date=o.arrival_date,
                sources=o.sources,
                rule=o.rule,
                score=o.score,
                status=o.status,
                identity_key=o.identity_key,
            )
            for o in screening.outcomes
        ],
        batch_size=BATCH_SIZE,
    )
    return travel_discrepancies_raise(run=run)


def screening_run_fail(*, run: ScreeningRun, message: str) -> None:
    _run_progress(
        run, run.progress, status=RunStatus.FAILED, failure=message, finished_at=timezone.now()
    )


def screening_run_interrupted(*, task_kwargs: dict) -> bool:
    """Recovery handler (`outpost.core.recovery`): the worker of the run of `task_kwargs`
    died. The run is failed (a new run gives the same rows); False when it had finished."""
    run = ScreeningRun.objects.filter(
        pk=task_kwargs.get("run_id"), status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).first()
    if run is None:
        return False
    screening_run_fail(run=run, message=interrupted_message())
    return True
