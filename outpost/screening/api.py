"""The screening API (大数据分析·比对): reference data, feeds, screening runs and decisions.

Handlers stay thin: the upload and run-start forms of the pages validate the input (so the
API offers the same units and feeds as the pages), the services write, the selectors read.
ID numbers and phones are masked in every answer; revealing one goes through the
registry's `POST /registry/residents/{id}/reveal`, with a reason, logged.
"""

import datetime
from collections.abc import Sequence
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from outpost.core.api_support import (
    ApiRouter,
    Code,
    ErrorOut,
    MaskedPersonFields,
    Name,
    Note,
    Pagination,
    api_get_visible,
    masked_person_fields,
    personal_data_free,
    scoped_route,
)
from outpost.registry.models import Resident
from outpost.screening import selectors
from outpost.screening.choices import LinkStatus
from outpost.screening.forms import FeedUploadForm, ScreeningRunForm
from outpost.screening.models import (
    Feed,
    FeedRow,
    OriginCategory,
    Region,
    ScreeningResult,
    ScreeningRun,
    TravelDiscrepancy,
)
from outpost.screening.services import (
    match_decision_record,
    match_review_accept,
    match_review_reject,
    match_review_reject_all,
    travel_discrepancy_resolve,
)
from outpost.screening.services.starts import feed_upload, screening_run_start

router = ApiRouter(tags=["screening"])

REGION_SEARCH_LIMIT = 50


# ---------------------------------------------------------------------------- permissions


def _require(request: HttpRequest, permission: str) -> None:
    if not request.auth.has_perm(permission):
        raise PermissionDenied(_("Your role may not see this."))


# ---------------------------------------------------------------------------- reference data


class RegionOut(Schema):
    code: str
    name: str
    alias: str
    level: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent.code if obj.parent_id else None


class OriginCategoryOut(Schema):
    id: int
    code: str
    name: str
    order: int


class DesignationOut(Schema):
    id: int
    region: RegionOut | None  # None: every region no other designation of the window names
    level: str
    start_date: datetime.date
    end_date: datetime.date
    category: OriginCategoryOut
    note: str


@router.get(
    "/designations",
    response=list[DesignationOut],
    openapi_extra=personal_data_free("risk regions and date windows (public reference data)"),
)
@paginate(Pagination)
def designation_list(request: HttpRequest):
    """Risk designations (风险地区认定), newest window first."""
    _require(request, "screening.view_riskdesignation")
    return selectors.designation_list().select_related("region__parent")


@router.get(
    "/origin-categories",
    response=list[OriginCategoryOut],
    openapi_extra=personal_data_free("the station's categories of arrivals (reference data)"),
)
def origin_category_list(request: HttpRequest):
    """Categories of arrivals (来连人员类别), in the order the station counts them."""
    _require(request, "screening.view_origincategory")
    return OriginCategory.objects.order_by("order", "code")


@router.get(
    "/regions",
    response=list[RegionOut],
    openapi_extra=personal_data_free("GB/T 2260 regions (public reference data)"),
)
def region_search(request: HttpRequest, q: Name = "", limit: int = 20):
    """Regions (行政区划) whose code starts with `q` or whose name or short name contains
    it; at most `limit` (≤ 50), exact matches first."""
    _require(request, "screening.view_region")
    q = q.strip()
    if not q:
        raise ValidationError({"q": _("Type part of a region's name or code.")})
    limit = max(1, min(limit, REGION_SEARCH_LIMIT))
    regions = Region.objects.filter(
        Q(code__startswith=q) | Q(name__contains=q) | Q(alias__contains=q)
    ).select_related("parent")
    exact = list(regions.filter(Q(code=q) | Q(name=q) | Q(alias=q))[:limit])
    rest = regions.exclude(pk__in=[r.pk for r in exact]).order_by("code")
    return exact + list(rest[: limit - len(exact)])


# ---------------------------------------------------------------------------- feeds


class FeedOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    source_type: str
    original_name: str
    uploaded_by: str
    uploaded_at: datetime.datetime
    status: str
    progress: int
    total_rows: int
    error_rows: int
    failure: str

    @staticmethod
    def resolve_unit_name(obj: Feed) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_uploaded_by(obj: Feed) -> str:
        return obj.uploaded_by.get_username()


class ParseErrorOut(Schema):
    column: str = ""
    message: str = ""


class FeedRowOut(MaskedPersonFields):
    id: int
    row_number: int
    name: str
    id_number_masked: str
    phone_masked: str
    origin: str
    origin_region_code: str
    arrival_date: datetime.date | None
    train_or_flight: str
    seat: str
    parse_errors: list[ParseErrorOut]  # the messages mask the values they quote


@router.get("/feeds", response=list[FeedOut], openapi_extra=scoped_route(Feed))
@paginate(Pagination)
def feed_list(request: HttpRequest):
    """Feeds (比对数据源) of the caller's jurisdiction, newest first."""
    return selectors.feed_list(user=request.auth)


@router.get("/feeds/{feed_id}", response=FeedOut, openapi_extra=scoped_route(Feed))
def feed_detail(request: HttpRequest, feed_id: int):
    """A feed's status, progress and row counts (poll it after an upload)."""
    return api_get_visible(request, Feed, feed_id)


@router.get("/feeds/{feed_id}/rows", response=list[FeedRowOut], openapi_extra=scoped_route(Feed))
@paginate(Pagination)
def feed_row_list(request: HttpRequest, feed_id: int, errors_only: bool = False):
    """The rows of a feed as read, ID numbers and phones masked, each with its problems;
    `errors_only=true` for the rows with problems."""
    feed = api_get_visible(request, Feed, feed_id)
    return selectors.feed_rows(feed=feed, user=request.auth, errors_only=errors_only)


@router.post(
    "/feeds",
    response={202: FeedOut},
    openapi_extra=personal_data_free(
        "uploads a feed into a unit of the caller's subtree; answers with its name and counts"
    ),
)
def feed_create(
    request: HttpRequest,
    unit_id: Form[int | None] = None,
    source_type: Form[Code] = "",
    file: File[UploadedFile | None] = None,
):
    """Upload a feed (multipart: `unit_id`, `source_type`, `file`, an .xlsx, .xls or .csv).
    Answers 202 with the feed: it is read in the background when its status is `queued`
    (poll `GET /feeds/{id}`), or already read."""
    user = request.auth
    if not user.has_perm("screening.add_feed"):
        raise PermissionDenied(_("Your role may not upload feeds."))
    form = FeedUploadForm(
        data={"unit": unit_id, "source_type": source_type},
        files={"file": file} if file is not None else {},
        user=user,
    )
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    upload = form.cleaned_data["file"]
    feed = feed_upload(
        acting_user=user,
        unit=form.cleaned_data["unit"],
        source_type=form.cleaned_data["source_type"],
        file=upload,
        original_name=upload.name,
    )
    return Status(202, api_get_visible(request, Feed, feed.pk))


# ---------------------------------------------------------------------------- runs


class RunOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    feed_ids: list[int]
    status: str
    progress: int
    # categories (per category code), linked, review, rows, unmatched_rows; for a caller
    # below the run's unit only categories, linked and review, over their own residents.
    counts: dict
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    failure: str

    @staticmethod
    def resolve_unit_name(obj: ScreeningRun) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_counts(obj: ScreeningRun, context) -> dict:
        return selectors.screening_run_counts_for(user=context["request"].auth, run=obj)

    @staticmethod
    def resolve_feed_ids(obj: ScreeningRun) -> list[int]:
        return sorted(feed.pk for feed in obj.feeds.all())


class UnitCountsOut(Schema):
    unit_id: int
    name: str
    kind: str
    depth: int
    by_category: dict[str, int]  # residents per origin category code
    review: int  # residents waiting for a review of their match


class RunDetailOut(RunOut):
    categories: list[OriginCategoryOut]
    unit_counts: UnitCountsOut  # the run's unit
    subunit_counts: list[UnitCountsOut]  # offices, communities and grids below it with any


class RunIn(Schema):
    unit_id: int | None = None
    feed_ids: list[int] = []


class ResultSourceOut(Schema):
    """A feed row that names the resident."""

    feed: str  # the feed's file name
    row: int  # its row number in the file
    row_id: int | None = None


class ResidentMaskedFields(masked_person_fields(lambda obj: obj.resident)):
    """The resident of a result or discrepancy as the API shows it: name, masked ID number
    and phone, unit name."""

    @staticmethod
    def resolve_resident_name(obj) -> str:
        return obj.resident.name

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name


class ScreeningResultOut(ResidentMaskedFields):
    id: int
    resident_id: int
    resident_name: str
    id_number_masked: str
    phone_masked: str
    unit_id: int
    unit_name: str
    category_code: str | None
    category_name: str | None
    arrival_date: datetime.date | None
    rule: str
    score: int
    status: str
    sources: list[ResultSourceOut]

    @staticmethod
    def resolve_category_code(obj: ScreeningResult) -> str | None:
        return obj.category.code if obj.category_id else None

    @staticmethod
    def resolve_category_name(obj: ScreeningResult) -> str | None:
        return obj.category.name if obj.category_id else None


def _unit_counts(row: selectors.RunCountRow, categories: list[OriginCategory]) -> dict:
    return {
        "unit_id": row.unit_id,
        "name": row.name,
        "kind": row.kind,
        "depth": row.depth,
        "by_category": {c.code: n for c, n in zip(categories, row.cells, strict=True)},
        "review": row.review,
    }


@router.get("/runs", response=list[RunOut], openapi_extra=scoped_route(ScreeningRun))
@paginate(Pagination)
def run_list(request: HttpRequest):
    """Screening runs (大数据比对批次) of the caller's jurisdiction, newest first."""
    return selectors.screening_run_list(user=request.auth).prefetch_related("feeds")


@router.get("/runs/{run_id}", response=RunDetailOut, openapi_extra=scoped_route(ScreeningRun))
def run_detail(request: HttpRequest, run_id: int):
    """A run's status and progress (poll it), and once done the residents per origin
    category of its unit and of every office, community and grid below it."""
    run = api_get_visible(request, ScreeningRun, run_id)
    counts = selectors.screening_run_counts(user=request.auth, run=run)
    run.categories = counts.categories
    run.unit_counts = _unit_counts(counts.base, counts.categories)
    run.subunit_counts = [_unit_counts(row, counts.categories) for row in counts.rows]
    return run


@router.get(
    "/runs/{run_id}/results",
    response=list[ScreeningResultOut],
    openapi_extra=scoped_route(ScreeningRun),
)
@paginate(Pagination)
def run_result_list(
    request: HttpRequest,
    run_id: int,
    status: LinkStatus | None = None,
    category: Code = "",
):
    """The residents a run found (比对结果), masked: filter by `status` (auto, decided,
    review) and by origin `category` code."""
    run = api_get_visible(request, ScreeningRun, run_id)
    results = selectors.screening_run_results(user=request.auth, run=run)
    if status:
        results = results.filter(status=status)
    if category:
        if not OriginCategory.objects.filter(code=category).exists():
            raise ValidationError({"category": _("No origin category has this code.")})
        results = results.filter(category__code=category)
    return results


@router.post(
    "/runs",
    response={202: RunOut},
    openapi_extra=personal_data_free(
        "starts a run over feeds and a unit of the caller's subtree; answers with its status"
    ),
)
def run_create(request: HttpRequest, payload: RunIn):
    """Start a screening run over `feed_ids` and the residents of `unit_id`'s subtree.
    Answers 202 with the queued run; poll `GET /runs/{id}`."""
    user = request.auth
    if not user.has_perm("screening.add_screeningrun"):
        raise PermissionDenied(_("Your role may not start screening runs."))
    form = ScreeningRunForm(data={"unit": payload.unit_id, "feeds": payload.feed_ids}, user=user)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    run = screening_run_start(
        acting_user=user, unit=form.cleaned_data["unit"], feeds=form.cleaned_data["feeds"]
    )
    return Status(202, api_get_visible(request, ScreeningRun, run.pk))


# ---------------------------------------------------------------------------- decisions


class DecisionIn(Schema):
    identity_key: Code
    resident_id: int | None = None  # None with rejected: none of the candidates
    rejected: bool = False


class DecisionOut(Schema):
    id: int
    identity_key: str
    resident_id: int | None
    rejected: bool
    unit_id: int
    decided_at: datetime.datetime


@router.post(
    "/decisions",
    response={201: DecisionOut},
    openapi_extra=scoped_route(Resident, id_in_body="resident_id"),
)
def decision_create(request: HttpRequest, payload: DecisionIn):
    """Remember a decision on a feed identity for every later run (比对人工确认): accept
    the link to `resident_id`, or reject it (`rejected`; without a resident, reject every
    candidate). A resident outside the caller's jurisdiction is a 404."""
    user = request.auth
    resident = None
    if payload.resident_id is not None:
        resident = api_get_visible(request, Resident, payload.resident_id)
    elif not payload.rejected:
        raise ValidationError(
            {"resident_id": _("Name the resident to accept, or reject the match.")}
        )
    decision = match_decision_record(
        acting_user=user,
        identity_key=payload.identity_key.strip(),
        resident=resident,
        rejected=payload.rejected,
    )
    return Status(201, decision)


# ---------------------------------------------------------------------------- review queue


class ReviewRowOut(MaskedPersonFields):
    """A feed row of the identity under review, masked."""

    feed: str
    row_number: int
    name: str
    id_number_masked: str
    phone_masked: str
    origin: str
    arrival_date: datetime.date | None

    @staticmethod
    def resolve_feed(obj: FeedRow) -> str:
        return obj.feed.original_name


class ReviewCandidateOut(Schema):
    result_id: int  # to accept or reject: POST /review/{result_id}/accept|reject
    resident_id: int
    resident_name: str
    id_number_masked: str
    phone_masked: str
    unit_id: int
    unit_name: str
    score: int
    agreed: list[str]  # what the feed rows and the resident share (name, phone, …)


class ReviewItemOut(Schema):
    """One uncertain feed identity (待确认) and the residents it may be."""

    identity_key: str
    rule: str  # the engine's rule: phone, name_birth_date, id_one_edit, …
    rule_label: str
    rows: list[ReviewRowOut]
    candidates: list[ReviewCandidateOut]


def _review_item_out(item: selectors.ReviewItem) -> dict:
    return {
        "identity_key": item.identity_key,
        "rule": item.first.rule,
        "rule_label": str(item.rule_label),
        "rows": item.rows,
        "candidates": [
            {
                "result_id": c.result.pk,
                "resident_id": c.resident.pk,
                "resident_name": c.resident.name,
                "id_number_masked": c.resident.masked_id_number,
                "phone_masked": c.resident.masked_phone,
                "unit_id": c.resident.unit_id,
                "unit_name": c.resident.unit.name,
                "score": c.result.score,
                "agreed": [str(a) for a in c.agreed],
            }
            for c in item.candidates
        ],
    }


class _ReviewItems(Sequence):
    """A run's review items by identity key; a slice loads only its own identities."""

    def __init__(self, *, user, run: ScreeningRun):
        self.user, self.run = user, run
        self.keys = list(
            selectors.review_results(user=user, run=run)
            .order_by("identity_key")
            .values_list("identity_key", flat=True)
            .distinct()
        )

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        keys = self.keys[index]
        results = selectors.review_results(user=self.user, run=self.run).filter(
            identity_key__in=keys
        )
        items = {
            item.identity_key: item
            for item in selectors.review_items(user=self.user, results=results)
        }
        return [_review_item_out(items[key]) for key in keys if key in items]


class ReviewDecisionOut(Schema):
    result_id: int
    run_id: int
    outcome: str  # accepted, rejected or rejected_all
    result: ScreeningResultOut | None  # the linked result, when accepted
    run_counts: dict  # the run's counts after the decision


@router.get(
    "/runs/{run_id}/review",
    response=list[ReviewItemOut],
    openapi_extra=scoped_route(ScreeningRun),
)
@paginate(Pagination)
def run_review_list(request: HttpRequest, run_id: int):
    """A run's review queue (比对人工确认): each uncertain feed identity with its feed rows
    and candidate residents, masked."""
    run = api_get_visible(request, ScreeningRun, run_id)
    return _ReviewItems(user=request.auth, run=run)


def _review_decide(request: HttpRequest, result_id: int, outcome: str):
    user = request.auth
    if not user.has_perm("screening.add_matchdecision"):
        raise PermissionDenied(_("Your role may not decide matches."))
    result = api_get_visible(request, ScreeningResult, result_id)
    if outcome == "accepted":
        match_review_accept(acting_user=user, result=result)
    elif outcome == "rejected":
        match_review_reject(acting_user=user, result=result)
    else:
        match_review_reject_all(acting_user=user, run=result.run, identity_key=result.identity_key)
    linked = None
    if outcome == "accepted":
        linked = ScreeningResult.objects.select_related("resident", "unit", "category").get(
            pk=result.pk
        )
    run = ScreeningRun.objects.select_related("unit").get(pk=result.run_id)
    return {
        "result_id": result.pk,
        "run_id": run.pk,
        "outcome": outcome,
        "result": linked,
        "run_counts": selectors.screening_run_counts_for(user=request.auth, run=run),
    }


@router.post(
    "/review/{result_id}/accept",
    response={200: ReviewDecisionOut, 409: ErrorOut},
    openapi_extra=scoped_route(ScreeningResult),
)
def review_accept(request: HttpRequest, result_id: int):
    """ "This is the person": link the feed identity to the candidate's resident in this run
    and every later one; the other candidates leave the queue. Decided already: 409."""
    return _review_decide(request, result_id, "accepted")


@router.post(
    "/review/{result_id}/reject",
    response={200: ReviewDecisionOut, 409: ErrorOut},
    openapi_extra=scoped_route(ScreeningResult),
)
def review_reject(request: HttpRequest, result_id: int):
    """ "Not this person": the candidate leaves the queue and is never linked to this feed
    identity again."""
    return _review_decide(request, result_id, "rejected")


@router.post(
    "/review/{result_id}/reject-all",
    response={200: ReviewDecisionOut, 409: ErrorOut},
    openapi_extra=scoped_route(ScreeningResult),
)
def review_reject_all(request: HttpRequest, result_id: int):
    """ "None of these": the feed identity of this candidate is nobody of the registry, in
    this run and later ones."""
    return _review_decide(request, result_id, "rejected_all")


# ---------------------------------------------------------------------------- discrepancies


class DiscrepancyOut(ResidentMaskedFields):
    """A concealed-travel discrepancy (出行信息不一致): the visit's declaration and the feed."""

    id: int
    run_id: int | None
    resident_id: int
    resident_name: str
    id_number_masked: str
    phone_masked: str
    unit_id: int
    unit_name: str
    kind: str
    visited_at: datetime.datetime | None
    declared_travelled: bool
    declared_origin: str
    declared_region_code: str
    declared_returned_on: datetime.date | None
    feed_name: str
    feed_row_number: int | None
    feed_origin: str
    feed_region_code: str
    arrival_date: datetime.date | None
    train_or_flight: str
    seat: str
    category_code: str | None
    status: str
    resolution_note: str
    resolved_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_category_code(obj: TravelDiscrepancy) -> str | None:
        return obj.category.code if obj.category_id else None


class DiscrepancyResolveIn(Schema):
    outcome: Code  # concealed, feed_wrong, not_the_person, corrected
    note: Note  # how it was verified


class ResolvedOut(Schema):
    id: int
    status: str
    resolved_at: datetime.datetime | None


@router.get(
    "/discrepancies",
    response=list[DiscrepancyOut],
    openapi_extra=scoped_route(TravelDiscrepancy),
)
@paginate(Pagination)
def discrepancy_list(
    request: HttpRequest,
    status: Literal["open", "resolved", "all"] = "open",
    community_id: int | None = None,
    run_id: int | None = None,
):
    """Concealed-travel discrepancies of the caller's jurisdiction, newest first: open ones
    (default), verified ones or all; of one community, or of one run."""
    user = request.auth
    community = run = None
    if community_id is not None:
        community = selectors.discrepancy_communities(user=user).filter(pk=community_id).first()
        if community is None:
            raise ValidationError({"community_id": _("Choose a community of your jurisdiction.")})
    if run_id is not None:
        run = ScreeningRun.objects.visible_to(user).select_related("unit").filter(pk=run_id)
        run = run.first()
        if run is None:
            raise ValidationError({"run_id": _("Choose a screening run of your jurisdiction.")})
    return selectors.travel_discrepancy_list(user=user, status=status, community=community, run=run)


@router.get(
    "/discrepancies/{discrepancy_id}",
    response=DiscrepancyOut,
    openapi_extra=scoped_route(TravelDiscrepancy),
)
def discrepancy_detail(request: HttpRequest, discrepancy_id: int):
    return api_get_visible(request, TravelDiscrepancy, discrepancy_id)


@router.post(
    "/discrepancies/{discrepancy_id}/resolve",
    response={200: ResolvedOut, 409: ErrorOut},
    openapi_extra=scoped_route(TravelDiscrepancy),
)
def discrepancy_resolve(request: HttpRequest, discrepancy_id: int, payload: DiscrepancyResolveIn):
    """Record what the verification of an open discrepancy found (`outcome`) and how it was
    verified (`note`, required). Verified already: 409."""
    user = request.auth
    if not user.has_perm("screening.change_traveldiscrepancy"):
        raise PermissionDenied(_("Your role may not verify discrepancies."))
    discrepancy = api_get_visible(request, TravelDiscrepancy, discrepancy_id, "change")
    return travel_discrepancy_resolve(
        acting_user=user, discrepancy=discrepancy, outcome=payload.outcome, note=payload.note
    )
