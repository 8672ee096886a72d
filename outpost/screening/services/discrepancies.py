"""Concealed travel (出行信息不一致, 疑似隐瞒行程): raise a discrepancy when a door-to-door
visit declared no travel, or another origin, while a feed puts the resident in a designated
risk region; and record its verification."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from outpost.core.audit import save_audited
from outpost.core.chunks import chunked
from outpost.core.exceptions import Conflict
from outpost.core.scoping import assert_in_scope
from outpost.registry.choices import MemberPresence
from outpost.registry.models import VisitMember
from outpost.screening.choices import DiscrepancyKind, DiscrepancyStatus, LinkStatus
from outpost.screening.models import FeedRow, ScreeningResult, ScreeningRun, TravelDiscrepancy
from outpost.screening.regions import RegionIndex
from outpost.screening.selectors import risk_designation_for

# A visit asks about travel "in the last 14 days" (VisitMember.travelled): a declaration
# bears on an arrival when the visit took place from the arrival day to 14 days after it.
VISIT_WINDOW_DAYS = 14
CHUNK = 2000


@dataclass(slots=True)
class _RiskRow:
    row: dict
    designation: object


def _same_place(declared_code: str, feed_code: str) -> bool:
    """Whether a declared origin agrees with the feed's: the same city, or the same
    province when either names only a province (a county of the same city agrees)."""
    if declared_code.endswith("0000") or feed_code.endswith("0000"):
        return declared_code[:2] == feed_code[:2]
    return declared_code[:4] == feed_code[:4]


def _risk_rows(row_ids: list) -> dict:
    """Feed row id -> (row values, designation) for rows that put a person in a designated
    risk region: a designation with a region in force on the arrival date. The catch-all
    designation (elsewhere) is not a risk region and raises nothing."""
    places: dict[tuple, object] = {}
    found = {}
    for chunk in chunked([pk for pk in row_ids if isinstance(pk, int)], CHUNK):
        for row in FeedRow.objects.filter(pk__in=chunk).values(
            "pk",
            "row_number",
            "origin",
            "origin_region_code",
            "arrival_date",
            "train_or_flight",
            "seat",
            "feed__original_name",
        ):
            place = (row["origin_region_code"], row["arrival_date"])
            if place not in places:
                places[place] = risk_designation_for(*place)
            designation = places[place]
            if designation is not None and designation.region_id is not None:
                found[row["pk"]] = _RiskRow(row=row, designation=designation)
    return found


def _declared_visits(resident_ids: list[int]) -> dict[int, list[dict]]:
    """Each resident's declarations at door-to-door visits, newest first (moved-out
    members declared nothing)."""
    visits: dict[int, list[dict]] = {}
    for chunk in chunked(resident_ids, CHUNK):
        for member in (
            VisitMember.objects.filter(resident_id__in=chunk)
            .exclude(presence=MemberPresence.DEPARTED)
            .order_by("-visit__visited_at", "-pk")
            .values(
                "pk",
                "resident_id",
                "travelled",
                "origin_place",
                "origin_region_code",
                "returned_on",
                "visit__visited_at",
            )
        ):
            visits.setdefault(member["resident_id"], []).append(member)
    return visits


def _declaration_for(members: list[dict], arrival: datetime.date | None) -> dict | None:
    """The most recent declaration made within the window after the arrival."""
    if arrival is None:
        return None
    last_day = arrival + datetime.timedelta(days=VISIT_WINDOW_DAYS)
    for member in members:
        day = timezone.localdate(member["visit__visited_at"])
        if arrival <= day <= last_day:
            return member
    return None


class _DeclaredCodes:
    """A declared origin's region code: as recorded, else read from the text written."""

    def __init__(self):
        self.index: RegionIndex | None = None

    def code(self, member: dict) -> str:
        if member["origin_region_code"]:
            return member["origin_region_code"]
        if not member["origin_place"]:
            return ""
        if self.index is None:
            self.index = RegionIndex.from_database()
        return self.index.code_for(member["origin_place"])


def _kind(member: dict, feed_code: str, codes: _DeclaredCodes) -> str | None:
    if not member["travelled"]:
        return DiscrepancyKind.NO_TRAVEL
    declared = codes.code(member)
    if declared and not _same_place(declared, feed_code):
        return DiscrepancyKind.OTHER_ORIGIN
    return None  # the same place, or a place that cannot be told: nothing to verify


def travel_discrepancies_raise(
    *, run: ScreeningRun, results: Iterable[ScreeningResult] | None = None
) -> int:
    """Raise a discrepancy for each linked resident of `run` (all of them, or `results`)
    whose feed rows put them in a designated risk region while their latest door-to-door
    declaration within 14 days after the arrival said no travel or another origin.

    Idempotent: one discrepancy per resident and feed row, whichever run meets it again; an
    existing one (open or verified) is left as it is. Called inside the run's (or the
    review decision's) transaction. Returns how many of the run's residents have one."""
    if results is None:
        linked = (
            ScreeningResult.objects.filter(run=run, category__isnull=False)
            .exclude(status=LinkStatus.REVIEW)
            .values_list("resident_id", "unit_id", "category_id", "sources")
        )
    else:
        linked = [
            (r.resident_id, r.unit_id, r.category_id, r.sources)
            for r in results
            if r.status != LinkStatus.REVIEW and r.category_id is not None
        ]
    rows_of: dict[int, tuple[int, list]] = {}
    for resident_id, unit_id, _category, sources in linked:
        rows_of[resident_id] = (unit_id, [s.get("row_id") for s in sources or []])
    if not rows_of:
        return 0
    risky = _risk_rows([pk for _unit, ids in rows_of.values() for pk in ids])
    # The most important risk row per resident (by its category's order, latest arrival).
    best: dict[int, _RiskRow] = {}
    for resident_id, (_unit, ids) in rows_of.items():
        candidates = [risky[pk] for pk in ids if pk in risky]
        if candidates:
            best[resident_id] = min(
                candidates,
                key=lambda r: (
                    r.designation.category.order,
                    -(r.row["arrival_date"] or datetime.date.min).toordinal(),
                ),
            )
    if not best:
        return 0
    visits = _declared_visits(list(best))
    existing = set()
    for chunk in chunked([r.row["pk"] for r in best.values()], CHUNK):
        existing.update(
            TravelDiscrepancy.objects.filter(feed_row_id__in=chunk).values_list(
                "resident_id", "feed_row_id"
            )
        )
    codes = _DeclaredCodes()
    new, found = [], 0
    for resident_id, risk in best.items():
        row = risk.row
        member = _declaration_for(visits.get(resident_id, []), row["arrival_date"])
        if member is None:
            continue
        kind = _kind(member, row["origin_region_code"], codes)
        if kind is None:
            continue
        found += 1
        if (resident_id, row["pk"]) in existing:
            continue
        new.append(
            TravelDiscrepancy(
                run=run,
                resident_id=resident_id,
                unit_id=rows_of[resident_id][0],
                kind=kind,
                visit_member_id=member["pk"],
                visited_at=member["visit__visited_at"],
                declared_travelled=member["travelled"],
                declared_origin=member["origin_place"],
                declared_region_code=member["origin_region_code"],
                declared_returned_on=member["returned_on"],
                feed_row_id=row["pk"],
                feed_name=row["feed__original_name"][:255],
                feed_row_number=row["row_number"],
                feed_origin=row["origin"],
                feed_region_code=row["origin_region_code"],
                arrival_date=row["arrival_date"],
                train_or_flight=row["train_or_flight"],
                seat=row["seat"],
                category=risk.designation.category,
                status=DiscrepancyStatus.OPEN,
            )
        )
    if new:
        bulk_create_with_history(new, TravelDiscrepancy, batch_size=CHUNK)
    return found


RESOLVED_OUTCOMES = [c for c in DiscrepancyStatus if c != DiscrepancyStatus.OPEN]


@transaction.atomic
def travel_discrepancy_resolve(
    *, acting_user, discrepancy: TravelDiscrepancy, outcome: str, note: str
) -> TravelDiscrepancy:
    """Record the verification of an open discrepancy: what was found and a note saying how
    (a call, a visit, the ticket). Outside the user's scope: 404."""
    if not acting_user.has_perm("screening.change_traveldiscrepancy"):
        raise PermissionDenied(_("Your role may not verify discrepancies."))
    try:
        discrepancy = (
            TravelDiscrepancy.objects.visible_to(acting_user, "change")
            .select_for_update(of=("self",))
            .get(pk=discrepancy.pk)
        )
    except TravelDiscrepancy.DoesNotExist:
        raise Http404(TravelDiscrepancy._meta.verbose_name) from None
    errors = {}
    if outcome not in RESOLVED_OUTCOMES:
        errors["outcome"] = _("Choose what the verification found.")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Write how it was verified.")
    if errors:
        raise ValidationError(errors)
    if not discrepancy.is_open:
        raise Conflict(_("This discrepancy has already been verified."))
    discrepancy.status = outcome
    discrepancy.resolution_note = note
    discrepancy.resolved_by = acting_user
    discrepancy.resolved_at = timezone.now()
    discrepancy.full_clean()
    save_audited(
        discrepancy,
        acting_user=acting_user,
        update_fields=["status", "resolution_note", "resolved_by", "resolved_at"],
    )
    assert_in_scope(discrepancy, acting_user, "change")
    return discrepancy
