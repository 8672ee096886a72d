"""Writes of the screening module (STYLE rule 4): one function per use case."""

from __future__ import annotations

import datetime
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outpost.core.imports.readers import MAX_FILE_BYTES, ImportFileError
from outpost.core.imports.services import job_file_path
from outpost.core.models import Unit
from outpost.core.scoping import assert_in_scope, user_scope_unit
from outpost.registry.models import Resident
from outpost.screening import engine
from outpost.screening.choices import FeedStatus, LinkStatus, RunStatus
from outpost.screening.imports import feed_open, feed_parse
from outpost.screening.models import (
    Feed,
    FeedRow,
    MatchDecision,
    OriginCategory,
    Region,
    RiskDesignation,
    ScreeningResult,
    ScreeningRun,
)
from outpost.screening.selectors import origin_category_for

BATCH_SIZE = 2000
DESIGNATION_FIELDS = ("region", "level", "start_date", "end_date", "category", "note")


def _check_window(start_date: datetime.date, end_date: datetime.date) -> None:
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": _("The end date must not be before the start date.")})


def _check_may_designate(user, action: str) -> None:
    if not user.has_perm(f"screening.{action}_riskdesignation"):
        raise PermissionDenied(_("Your role may not change risk designations."))


@transaction.atomic
def risk_designation_create(
    *,
    acting_user,
    region: Region | None,
    level: str,
    start_date: datetime.date,
    end_date: datetime.date,
    category: OriginCategory,
    note: str = "",
) -> RiskDesignation:
    """A new risk designation; the history row names the acting user."""
    _check_may_designate(acting_user, "add")
    _check_window(start_date, end_date)
    designation = RiskDesignation(
        region=region,
        level=level,
        start_date=start_date,
        end_date=end_date,
        category=category,
        note=note,
    )
    designation._history_user = acting_user
    designation.full_clean()
    designation.save()
    return designation


@transaction.atomic
def risk_designation_update(
    *, acting_user, designation: RiskDesignation, **changes
) -> RiskDesignation:
    """Change a designation's region, level, window, category or note."""
    _check_may_designate(acting_user, "change")
    unknown = set(changes) - set(DESIGNATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(designation, name, value)
    _check_window(designation.start_date, designation.end_date)
    designation._history_user = acting_user
    designation.full_clean()
    designation.save(update_fields=[*changes] if changes else None)
    return designation


def feed_upload(
    *, acting_user, unit: Unit, source_type: str, file, original_name: str = ""
) -> Feed:
    """Keep an uploaded feed file and store every row of it, bad rows with their problems.

    A file that cannot be read at all (empty, not a table, no known column, no data row)
    is refused with the reason, and nothing is kept.
    """
    if not acting_user.has_perm("screening.add_feed"):
        raise PermissionDenied(_("Your role may not upload feeds."))
    if not Unit.objects.visible_to(acting_user).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("The feed's unit is outside your jurisdiction."))
    original_name = (original_name or getattr(file, "name", "") or "feed")[:255]
    size = getattr(file, "size", None)
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size is not None and size > MAX_FILE_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(limit)d MB; split it into smaller files.")
                % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
            }
        )
    feed = Feed(
        unit=unit,
        source_type=source_type,
        original_name=original_name,
        uploaded_by=acting_user,
        status=FeedStatus.PARSED,
    )
    suffix = Path(original_name).suffix.lower()[:8]
    feed.file.save(f"{secrets.token_hex(8)}{suffix}", file, save=False)
    try:
        with transaction.atomic():
            _parse_into(feed, acting_user=acting_user)
    except ImportFileError as exc:
        feed.file.delete(save=False)
        raise ValidationError({"file": str(exc)}) from None
    except BaseException:
        feed.file.delete(save=False)
        raise
    return feed


def _parse_into(feed: Feed, *, acting_user) -> None:
    # The same local-path helper as import jobs (a copy when the storage has no paths).
    with job_file_path(feed) as path:
        _parse_file(feed, path, acting_user=acting_user)


def _parse_file(feed: Feed, path: Path, *, acting_user) -> None:
    reading = feed_open(path, unit=feed.unit, acting_user=acting_user)
    feed.mapping = reading.mapping
    feed._history_user = acting_user
    feed.save()
    total = errors = 0
    batch: list[FeedRow] = []
    for parsed in feed_parse(reading):
        total += 1
        errors += bool(parsed.parse_errors)
        batch.append(
            FeedRow(
                feed=feed,
                row_number=parsed.row_number,
                name=parsed.name,
                id_number=parsed.id_number,
                phone=parsed.phone,
                origin=parsed.origin,
                origin_region_code=parsed.origin_region_code,
                arrival_date=parsed.arrival_date,
                train_or_flight=parsed.train_or_flight,
                seat=parsed.seat,
                parse_errors=parsed.parse_errors,
            )
        )
        if len(batch) >= BATCH_SIZE:
            FeedRow.objects.bulk_create(batch)
            batch = []
    FeedRow.objects.bulk_create(batch)
    if total == 0:
        raise ImportFileError(
            _("No data rows below the header (row %(row)d).") % {"row": reading.header_row}
        )
    feed.total_rows = total
    feed.error_rows = errors
    feed.status = FeedStatus.PARSED_WITH_ERRORS if errors else FeedStatus.PARSED
    feed.save(update_fields=["total_rows", "error_rows", "status"])
    assert_in_scope(feed, acting_user, "view")


# ---------------------------------------------------------------------------- screening runs


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
    in_line = Q(unit__path__startswith=unit.path) | Q(unit__in=unit.ancestors())
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
    *, residents: Iterable[Resident], rows: list[SourceRow], decisions: dict
) -> Screening:
    """Match feed rows to residents with the engine and give each linked resident its
    origin category (the most important one, by the categories' order, when several feed
    rows name the same person). Reads the risk designations; writes nothing."""
    started = time.perf_counter()
    resident_cols: dict[str, list] = {c: [] for c in engine.RESIDENT_COLUMNS}
    for resident in residents:
        resident_cols["resident_id"].append(resident.pk)
        resident_cols["name"].append(resident.name)
        resident_cols["id_number"].append(resident.id_number)
        resident_cols["phone"].append(resident.phone)
        resident_cols["birth_date"].append(resident.birth_date)
    by_id = {row.row_id: row for row in rows}
    feed_cols = {
        "row_id": [r.row_id for r in rows],
        "name": [r.name for r in rows],
        "id_number": [r.id_number for r in rows],
        "phone": [r.phone for r in rows],
        "birth_date": [None] * len(rows),
    }
    # An accepted decision for a resident outside these residents (another unit's run) is
    # not this screening's to apply; rejections apply wherever they are met.
    known = set(resident_cols["resident_id"])
    decisions = {
        key: value for key, value in decisions.items() if value is engine.REJECTED or value in known
    }
    timings = {"read": time.perf_counter() - started}
    result = engine.match_feed(resident_cols, feed_cols, decisions)
    timings.update({f"engine_{k}": v for k, v in result.timings.items()})
    mark = time.perf_counter()

    categories: dict[tuple, OriginCategory | None] = {}
    outcomes: dict[int, ResidentOutcome] = {}
    review_rows = 0
    for link in result.links:
        row = by_id[link.row_id]
        source = {"feed": row.feed, "row": row.row_number}
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
        rows=len(rows),
        unmatched=len(result.unmatched),
        review_rows=review_rows,
        timings=timings,
    )


def _check_may_screen(user, unit: Unit) -> None:
    if not user.has_perm("screening.add_screeningrun"):
        raise PermissionDenied(_("Your role may not start screening runs."))
    if not Unit.objects.visible_to(user).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("The unit is outside your jurisdiction."))


def screening_run_start(*, acting_user, unit: Unit, feeds: Iterable[Feed]) -> ScreeningRun:
    """Create a run of the engine over `feeds` and the residents of `unit`'s subtree, and
    queue it (it starts once this transaction commits)."""
    from outpost.screening.tasks import screening_run_task

    _check_may_screen(acting_user, unit)
    feeds = list(feeds)
    if not feeds:
        raise ValidationError({"feeds": _("Choose at least one feed.")})
    visible = Feed.objects.visible_to(acting_user).filter(pk__in=[f.pk for f in feeds])
    if visible.count() != len({f.pk for f in feeds}):
        raise ValidationError({"feeds": _("A chosen feed is outside your jurisdiction.")})
    with transaction.atomic():
        run = ScreeningRun(unit=unit, created_by=acting_user, status=RunStatus.QUEUED)
        run.full_clean()
        run.save()
        run.feeds.set(feeds)
        assert_in_scope(run, acting_user, "view")
        language = translation.get_language() or ""
        transaction.on_commit(
            lambda: screening_run_task.enqueue(
                run_id=run.pk, user_id=acting_user.pk, language=language
            )
        )
    return run


@transaction.atomic
def match_decision_record(
    *, acting_user, identity_key: str, resident: Resident | None, rejected: bool = False
) -> MatchDecision:
    """Remember a user's decision on a feed identity for every later run: accept the link
    to `resident`, or reject it (reject every candidate when `resident` is None)."""
    if not acting_user.has_perm("screening.add_matchdecision"):
        raise PermissionDenied(_("Your role may not decide matches."))
    if resident is not None:
        assert_in_scope(resident, acting_user, "view")
        unit_id = resident.unit_id
    else:
        unit = user_scope_unit(acting_user)
        if unit is None:
            raise PermissionDenied(_("You have no jurisdiction to decide matches in."))
        unit_id = unit.pk
    decision = MatchDecision(
        unit_id=unit_id,
        identity_key=identity_key,
        resident=resident,
        rejected=rejected or resident is None,
        decided_by=acting_user,
    )
    decision.full_clean()
    decision.save()
    assert_in_scope(decision, acting_user, "view")
    return decision


def _run_progress(run: ScreeningRun, percent: int, **fields) -> None:
    run.progress = percent
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=["progress", *fields])


def screening_run_execute(*, acting_user, run: ScreeningRun) -> ScreeningRun:
    """Run the engine for `run` and store its results, replacing any earlier ones (running
    the same run again gives the same rows)."""
    _run_progress(run, 0, status=RunStatus.RUNNING, started_at=timezone.now(), failure="")
    residents = (
        Resident.objects.visible_to(acting_user)
        .filter(unit__path__startswith=run.unit.path)
        .only("pk", "name", "id_number", "phone", "birth_date", "unit_id")
    )
    residents = list(residents)
    unit_of = {r.pk: r.unit_id for r in residents}
    feed_names = dict(run.feeds.values_list("pk", "original_name"))
    rows = [
        SourceRow(row_id=pk, feed=feed_names[feed_id], row_number=number, name=name,
                  id_number=id_number, phone=phone, origin_region_code=code,
                  arrival_date=arrival)
        for pk, feed_id, number, name, id_number, phone, code, arrival in FeedRow.objects
        .visible_to(acting_user)
        .filter(feed__in=list(feed_names))
        .order_by("feed_id", "row_number")
        .values_list("pk", "feed_id", "row_number", "name", "id_number", "phone",
                     "origin_region_code", "arrival_date")
    ]  # fmt: skip
    _run_progress(run, 20)
    screening = screening_compute(
        residents=residents, rows=rows, decisions=match_decisions(unit=run.unit)
    )
    _run_progress(run, 70)
    with transaction.atomic():
        ScreeningResult.objects.filter(run=run).delete()
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
        _run_progress(
            run,
            100,
            status=RunStatus.DONE,
            counts=screening.counts(),
            finished_at=timezone.now(),
        )
    return run


def screening_run_fail(*, run: ScreeningRun, message: str) -> None:
    _run_progress(
        run, run.progress, status=RunStatus.FAILED, failure=message, finished_at=timezone.now()
    )
