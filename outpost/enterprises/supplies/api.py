"""Requests and the donations ledger in the JSON API, under /api/v1/enterprises/: scoped
like the pages (a liaison sees its own enterprise's requests and receipts, none of the
station's stores), donors' phones masked, nothing ever deleted."""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from outpost.core.api_support import (
    ApiRouter,
    Code,
    Line,
    Name,
    Note,
    Pagination,
    api_get_visible,
    personal_data_free,
    scoped_route,
)
from outpost.core.models import Unit
from outpost.enterprises.models import Enterprise
from outpost.enterprises.scoping import enterprise_of_liaison, is_liaison
from outpost.enterprises.supplies import selectors, services
from outpost.enterprises.supplies.models import (
    Distribution,
    Donation,
    Donor,
    EnterpriseRequest,
    LedgerLine,
    Stock,
    SupplyItem,
)
from outpost.enterprises.supplies.services import MAX_QUANTITY

router = ApiRouter(tags=["enterprises"])


def _person_name(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else user.get_username()


class SupplyItemOut(Schema):
    code: str
    name: str
    unit_of_measure: str

    @staticmethod
    def resolve_name(obj: SupplyItem) -> str:
        return obj.label

    @staticmethod
    def resolve_unit_of_measure(obj: SupplyItem) -> str:
        return obj.measure


class LineIn(Schema):
    item: Code = Field(description="A supply item's code, e.g. masks (GET /supply-items).")
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


class RequestLineOut(Schema):
    item: str
    item_name: str
    unit_of_measure: str
    quantity: int
    delivered: int
    unmet: int

    @staticmethod
    def resolve_item(obj) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_name(obj) -> str:
        return obj.item.label

    @staticmethod
    def resolve_unit_of_measure(obj) -> str:
        return obj.item.measure


class StepOut(Schema):
    kind: str
    note: str
    by: str
    at: datetime

    @staticmethod
    def resolve_by(obj) -> str:
        return _person_name(obj.by)


class EnterpriseRequestOut(Schema):
    id: int
    reference: str
    enterprise_id: int
    enterprise_name: str
    kind: str
    summary: str
    status: str
    filed_at: datetime
    due_at: datetime
    is_overdue: bool
    assigned_to_id: int | None
    assigned_to_name: str
    outcome: str
    closed_at: datetime | None
    confirmed_at: datetime | None
    needed: int = Field(description="Items asked for, all kinds added up.")
    delivered: int = Field(description="Items given out against the request (its ledger lines).")
    unmet: int
    percent: int

    @staticmethod
    def resolve_enterprise_name(obj: EnterpriseRequest) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_assigned_to_name(obj: EnterpriseRequest) -> str:
        return _person_name(obj.assigned_to)


class EnterpriseRequestDetailOut(EnterpriseRequestOut):
    details: str
    lines: list[RequestLineOut]
    steps: list[StepOut]

    @staticmethod
    def resolve_lines(obj: EnterpriseRequest):
        return selectors.request_lines(obj)

    @staticmethod
    def resolve_steps(obj: EnterpriseRequest):
        return list(selectors.request_steps(obj))


class EnterpriseRequestIn(Schema):
    """A request: `enterprise_id` is the caller's own enterprise for a liaison (may be left
    out); staff name an enterprise of their jurisdiction. Supplies need `lines`."""

    enterprise_id: int | None = None
    kind: Code
    summary: Line
    details: Note = ""
    lines: list[LineIn] = []


class AssignIn(Schema):
    officer_id: int | None = Field(None, description="The officer; the caller when left out.")


class NoteIn(Schema):
    note: Note


class OptionalNoteIn(Schema):
    note: Note = ""


class CloseIn(Schema):
    outcome: Code = Field(description="resolved, partly, referred or declined.")
    note: Note


def _items(lines: list[LineIn], field: str = "lines") -> list[tuple[SupplyItem, int]]:
    known = {item.code: item for item in SupplyItem.objects.filter(is_active=True)}
    found = []
    for index, line in enumerate(lines):
        item = known.get(line.item)
        if item is None:
            raise ValidationError({f"{field}.{index}.item": _("Unknown supply item.")})
        found.append((item, line.quantity))
    return found


def _request_out(request: EnterpriseRequest, user) -> EnterpriseRequest:
    return selectors.request_detail_queryset(user=user).get(pk=request.pk)


@router.get(
    "/supply-items",
    response=list[SupplyItemOut],
    openapi_extra=personal_data_free("the supplies catalogue (configuration)"),
)
def supply_item_list(request: HttpRequest):
    """The supplies catalogue: each item's code, name and unit of measure."""
    return list(selectors.items())


@router.get(
    "/requests", response=list[EnterpriseRequestOut], openapi_extra=scoped_route(EnterpriseRequest)
)
@paginate(Pagination)
def enterprise_request_list(
    request: HttpRequest, status: Code = "", kind: Code = "", mine: bool = False, sort: Code = ""
):
    """Requests of the caller's enterprises (a liaison: its own), with needed, delivered
    and unmet quantities. `status`: one status, `pending` or `overdue`; `sort`: `newest`,
    `age` (longest waiting first) or `unmet` (most unmet first)."""
    return selectors.request_list(
        user=request.auth, status=status, kind=kind, mine=mine, sort=sort or selectors.SORT_NEWEST
    )


@router.get(
    "/requests/{request_id}",
    response=EnterpriseRequestDetailOut,
    openapi_extra=scoped_route(EnterpriseRequest),
)
def enterprise_request_detail(request: HttpRequest, request_id: int):
    return _request_out(api_get_visible(request, EnterpriseRequest, request_id), request.auth)


@router.post(
    "/requests",
    response={201: EnterpriseRequestDetailOut},
    openapi_extra=scoped_route(Enterprise, id_in_body="enterprise_id"),
)
def enterprise_request_file(request: HttpRequest, payload: EnterpriseRequestIn):
    """File a request. An enterprise outside the caller's scope is a 404; a liaison files
    for its own enterprise only."""
    user = request.auth
    if payload.enterprise_id is not None:
        enterprise = api_get_visible(request, Enterprise, payload.enterprise_id)
    elif is_liaison(user) and enterprise_of_liaison(user) is not None:
        enterprise = enterprise_of_liaison(user)
    else:
        raise ValidationError({"enterprise_id": _("Name the enterprise.")})
    filed = services.request_file(
        acting_user=user,
        enterprise=enterprise,
        kind=payload.kind,
        summary=payload.summary,
        details=payload.details,
        lines=_items(payload.lines),
    )
    return Status(201, _request_out(filed, user))


@router.post(
    "/requests/{request_id}/assign",
    response=EnterpriseRequestDetailOut,
    openapi_extra=scoped_route(EnterpriseRequest),
)
def enterprise_request_assign(request: HttpRequest, request_id: int, payload: AssignIn):
    """Give the request to an officer whose jurisdiction covers the enterprise (the
    caller when `officer_id` is left out)."""
    user = request.auth
    found = api_get_visible(request, EnterpriseRequest, request_id, "change")
    officer = None
    if payload.officer_id is not None:
        officer = get_user_model().objects.filter(pk=payload.officer_id, is_active=True).first()
        if officer is None:
            raise Http404("officer")
    services.request_assign(acting_user=user, request=found, officer=officer)
    return _request_out(found, user)


@router.post(
    "/requests/{request_id}/steps",
    response=EnterpriseRequestDetailOut,
    openapi_extra=scoped_route(EnterpriseRequest),
)
def enterprise_request_step(request: HttpRequest, request_id: int, payload: NoteIn):
    """Write down a step taken on a pending request."""
    found = api_get_visible(request, EnterpriseRequest, request_id, "change")
    services.request_step_record(acting_user=request.auth, request=found, note=payload.note)
    return _request_out(found, request.auth)


@router.post(
    "/requests/{request_id}/close",
    response=EnterpriseRequestDetailOut,
    openapi_extra=scoped_route(EnterpriseRequest),
)
def enterprise_request_close(request: HttpRequest, request_id: int, payload: CloseIn):
    """Answer the request with an outcome and a note to the enterprise."""
    found = api_get_visible(request, EnterpriseRequest, request_id, "change")
    services.request_close(
        acting_user=request.auth, request=found, outcome=payload.outcome, note=payload.note
    )
    return _request_out(found, request.auth)


@router.post(
    "/requests/{request_id}/confirm",
    response=EnterpriseRequestDetailOut,
    openapi_extra=scoped_route(EnterpriseRequest),
)
def enterprise_request_confirm(request: HttpRequest, request_id: int, payload: OptionalNoteIn):
    """The enterprise confirms an answered request (its liaison, or staff noting it)."""
    found = api_get_visible(request, EnterpriseRequest, request_id)
    services.request_confirm(acting_user=request.auth, request=found, note=payload.note)
    return _request_out(found, request.auth)


@router.post(
    "/requests/{request_id}/reopen",
    response=EnterpriseRequestDetailOut,
    openapi_extra=scoped_route(EnterpriseRequest),
)
def enterprise_request_reopen(request: HttpRequest, request_id: int, payload: NoteIn):
    """The enterprise sends an answered request back, saying what is still missing."""
    found = api_get_visible(request, EnterpriseRequest, request_id)
    services.request_reopen(acting_user=request.auth, request=found, note=payload.note)
    return _request_out(found, request.auth)


# ---------------------------------------------------------------------------- the ledger


class LedgerItemOut(Schema):
    item: str
    item_name: str
    quantity: int

    @staticmethod
    def resolve_item(obj: LedgerLine) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_name(obj: LedgerLine) -> str:
        return obj.item.label


class DonationOut(Schema):
    id: int
    reference: str
    unit_id: int
    unit_name: str
    donor_id: int
    donor_kind: str
    donor_name: str
    donor_phone_masked: str
    received_at: datetime
    received_by: str
    note: str
    lines: list[LedgerItemOut]

    @staticmethod
    def resolve_unit_name(obj: Donation) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_donor_kind(obj: Donation) -> str:
        return obj.donor.kind

    @staticmethod
    def resolve_donor_name(obj: Donation) -> str:
        return obj.donor.name

    @staticmethod
    def resolve_donor_phone_masked(obj: Donation) -> str:
        return obj.donor.masked_phone

    @staticmethod
    def resolve_received_by(obj: Donation) -> str:
        return _person_name(obj.received_by)

    @staticmethod
    def resolve_lines(obj: Donation):
        return list(obj.lines.all())


class DonationIn(Schema):
    """A donation into the store of `unit_id`: from a known donor (`donor_id`) or a new
    one (`donor_kind` enterprise with `enterprise_id`, or person with `donor_name` and
    optionally `donor_phone`)."""

    unit_id: int
    donor_id: int | None = None
    donor_kind: Code = ""
    enterprise_id: int | None = None
    donor_name: Name = ""
    donor_phone: Code = ""
    lines: list[LineIn]
    note: Note = ""


class DistributionOut(Schema):
    id: int
    reference: str
    unit_id: int
    unit_name: str
    recipient_id: int | None
    recipient_unit_id: int | None
    recipient_name: str
    request_id: int | None
    distributed_at: datetime
    distributed_by: str
    signed_for_by: str
    note: str
    lines: list[LedgerItemOut]

    @staticmethod
    def resolve_unit_name(obj: Distribution) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_distributed_by(obj: Distribution) -> str:
        return _person_name(obj.distributed_by)

    @staticmethod
    def resolve_lines(obj: Distribution):
        return list(obj.lines.all())


class DistributionIn(Schema):
    """Supplies out of the store of `unit_id`: against `request_id` (to its enterprise), or
    to `recipient_id` (an enterprise) or `recipient_unit_id` (a unit). More than is on hand
    is a 422 naming the item and what is on hand."""

    unit_id: int
    request_id: int | None = None
    recipient_id: int | None = None
    recipient_unit_id: int | None = None
    signed_for_by: Name
    lines: list[LineIn]
    note: Note = ""


class StockOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    item: str
    item_name: str
    unit_of_measure: str
    quantity: int

    @staticmethod
    def resolve_unit_name(obj: Stock) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_item(obj: Stock) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_name(obj: Stock) -> str:
        return obj.item.label

    @staticmethod
    def resolve_unit_of_measure(obj: Stock) -> str:
        return obj.item.measure


class LedgerLineOut(Schema):
    id: int
    reference: str
    at: datetime
    unit_id: int
    item: str
    direction: str
    quantity: int
    balance: int
    donation_id: int | None
    distribution_id: int | None

    @staticmethod
    def resolve_item(obj: LedgerLine) -> str:
        return obj.item.code


def _donation(donation: Donation, user) -> Donation:
    return selectors.donation_list(user=user).get(pk=donation.pk)


def _distribution(distribution: Distribution, user) -> Distribution:
    return selectors.distribution_list(user=user).get(pk=distribution.pk)


@router.get("/donations/stock", response=list[StockOut], openapi_extra=scoped_route(Stock))
@paginate(Pagination)
def supplies_stock_list(request: HttpRequest, unit_id: int | None = None):
    """Stock on hand per item in each store of the caller's jurisdiction (of `unit_id`
    and the stores below it). A liaison sees none."""
    unit = api_get_visible(request, Unit, unit_id) if unit_id is not None else None
    return selectors.stock_list(user=request.auth, unit=unit)


@router.get(
    "/donations/ledger", response=list[LedgerLineOut], openapi_extra=scoped_route(LedgerLine)
)
@paginate(Pagination)
def supplies_ledger_list(
    request: HttpRequest,
    unit_id: int | None = None,
    item: Code = "",
    since: date | None = None,
    until: date | None = None,
):
    """The donations ledger, newest first: every movement in and out of the caller's
    stores (of `unit_id` and below, of one `item`, between two days YYYY-MM-DD)."""
    unit = api_get_visible(request, Unit, unit_id) if unit_id is not None else None
    found = SupplyItem.objects.filter(code=item).first() if item else None
    if item and found is None:
        raise ValidationError({"item": _("Unknown supply item.")})
    return selectors.ledger_list(user=request.auth, unit=unit, item=found, since=since, until=until)


@router.get(
    "/donations/distributions",
    response=list[DistributionOut],
    openapi_extra=scoped_route(Distribution),
)
@paginate(Pagination)
def supplies_distribution_list(request: HttpRequest):
    """Distributions of the caller's stores, newest first (a liaison: what its enterprise
    received)."""
    return selectors.distribution_list(user=request.auth)


@router.get(
    "/donations/distributions/{distribution_id}",
    response=DistributionOut,
    openapi_extra=scoped_route(Distribution),
)
def supplies_distribution_detail(request: HttpRequest, distribution_id: int):
    found = api_get_visible(request, Distribution, distribution_id)
    return _distribution(found, request.auth)


@router.post(
    "/donations/distributions",
    response={201: DistributionOut},
    openapi_extra=scoped_route(Unit, id_in_body="unit_id"),
)
def supplies_distribution_make(request: HttpRequest, payload: DistributionIn):
    """Give supplies out of a store (one ledger line OUT per item)."""
    user = request.auth
    unit = api_get_visible(request, Unit, payload.unit_id)
    found = (
        api_get_visible(request, EnterpriseRequest, payload.request_id)
        if payload.request_id is not None
        else None
    )
    recipient = (
        api_get_visible(request, Enterprise, payload.recipient_id)
        if payload.recipient_id is not None
        else None
    )
    recipient_unit = (
        api_get_visible(request, Unit, payload.recipient_unit_id)
        if payload.recipient_unit_id is not None
        else None
    )
    distribution = services.distribution_make(
        acting_user=user,
        unit=unit,
        lines=_items(payload.lines),
        signed_for_by=payload.signed_for_by,
        recipient=recipient,
        recipient_unit=recipient_unit,
        request=found,
        note=payload.note,
    )
    return Status(201, _distribution(distribution, user))


@router.get("/donations", response=list[DonationOut], openapi_extra=scoped_route(Donation))
@paginate(Pagination)
def supplies_donation_list(request: HttpRequest):
    """Donations received into the caller's stores, newest first (a liaison: those its
    enterprise gave)."""
    return selectors.donation_list(user=request.auth)


@router.get("/donations/{donation_id}", response=DonationOut, openapi_extra=scoped_route(Donation))
def supplies_donation_detail(request: HttpRequest, donation_id: int):
    return _donation(api_get_visible(request, Donation, donation_id), request.auth)


@router.post(
    "/donations",
    response={201: DonationOut},
    openapi_extra=scoped_route(Unit, id_in_body="unit_id"),
)
def supplies_donation_receive(request: HttpRequest, payload: DonationIn):
    """Receive a donation into a store (one ledger line IN per item)."""
    user = request.auth
    unit = api_get_visible(request, Unit, payload.unit_id)
    lines = _items(payload.lines)
    with transaction.atomic():
        if payload.donor_id is not None:
            donor = api_get_visible(request, Donor, payload.donor_id)
        else:
            enterprise = (
                api_get_visible(request, Enterprise, payload.enterprise_id)
                if payload.enterprise_id is not None
                else None
            )
            donor = services.donor_register(
                acting_user=user,
                unit=unit,
                kind=payload.donor_kind,
                enterprise=enterprise,
                name=payload.donor_name,
                phone=payload.donor_phone,
            )
        donation = services.donation_receive(
            acting_user=user, unit=unit, donor=donor, lines=lines, note=payload.note
        )
    return Status(201, _donation(donation, user))
