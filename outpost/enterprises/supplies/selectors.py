"""Reads of requests and the donations ledger, always scoped (`visible_to`).

A request's needed, delivered and unmet quantities are annotations of the same query that
lists it: needed is the sum of its lines, delivered the sum of the ledger lines OUT of its
distributions. The progress bar and the ledger read the same rows, so they cannot
disagree.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from outpost.core.models import Unit
from outpost.enterprises.scoping import enterprises_for
from outpost.enterprises.supplies.choices import PENDING_STATUSES, Direction, RequestStatus
from outpost.enterprises.supplies.models import (
    Distribution,
    Donation,
    Donor,
    EnterpriseRequest,
    LedgerLine,
    RequestLine,
    RequestStep,
    Stock,
    SupplyItem,
)

# The list's filters of status: one status, or these groups.
STATUS_PENDING = "pending"
STATUS_OVERDUE = "overdue"
SORT_AGE = "age"  # longest waiting first
SORT_UNMET = "unmet"  # most still missing first
SORT_NEWEST = "newest"


def _sum_of(queryset: QuerySet, group: str) -> Subquery:
    return Subquery(
        queryset.order_by().values(group).annotate(total=Sum("quantity")).values("total")[:1],
        output_field=IntegerField(),
    )


def with_progress(requests: QuerySet) -> QuerySet:
    """`needed`, `delivered` and `unmet` (needed less delivered) of each request, and
    `percent` delivered (0-100), in the query that reads the requests."""
    needed = _sum_of(RequestLine.objects.filter(request=OuterRef("pk")), "request")
    delivered = _sum_of(
        LedgerLine.objects.filter(distribution__request=OuterRef("pk"), direction=Direction.OUT),
        "distribution__request",
    )
    return requests.annotate(
        needed=Coalesce(needed, Value(0)),
        delivered=Coalesce(delivered, Value(0)),
    ).annotate(
        unmet=F("needed") - F("delivered"),
        percent=Case(
            When(needed=0, then=Value(0)),
            default=F("delivered") * 100 / F("needed"),
            output_field=IntegerField(),
        ),
    )


def pending_overdue(requests: QuerySet, *, now=None) -> QuerySet:
    return requests.filter(status__in=PENDING_STATUSES, due_at__lt=now or timezone.now())


def request_list(
    *,
    user,
    status: str = "",
    kind: str = "",
    mine: bool = False,
    enterprise=None,
    sort: str = SORT_NEWEST,
) -> QuerySet[EnterpriseRequest]:
    """Requests the user may see with their progress; `status` one status, `pending` or
    `overdue`; `mine` those assigned to the user; sorted newest first, by age (longest
    waiting first) or by what is unmet (most first)."""
    requests = EnterpriseRequest.objects.visible_to(user).select_related(
        "enterprise", "assigned_to__staff_profile"
    )
    if status == STATUS_PENDING:
        requests = requests.filter(status__in=PENDING_STATUSES)
    elif status == STATUS_OVERDUE:
        requests = pending_overdue(requests)
    elif status in RequestStatus.values:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    if mine:
        requests = requests.filter(assigned_to=user)
    if enterprise is not None:
        requests = requests.filter(enterprise=enterprise)
    requests = with_progress(requests)
    if sort == SORT_AGE:
        return requests.order_by("filed_at", "pk")
    if sort == SORT_UNMET:
        return requests.order_by("-unmet", "filed_at", "pk")
    return requests.order_by("-filed_at", "-pk")


def request_detail_queryset(*, user) -> QuerySet[EnterpriseRequest]:
    return with_progress(
        EnterpriseRequest.objects.visible_to(user).select_related(
            "enterprise__unit", "filed_by__staff_profile", "assigned_to__staff_profile", "closed_by"
        )
    )


def request_lines(request: EnterpriseRequest) -> list[RequestLine]:
    """The request's items, each with `delivered` (its ledger lines OUT), `unmet` and
    `percent`: one query."""
    delivered = _sum_of(
        LedgerLine.objects.filter(
            distribution__request=OuterRef("request"),
            item=OuterRef("item"),
            direction=Direction.OUT,
        ),
        "item",
    )
    lines = (
        RequestLine.objects.filter(request=request)
        .select_related("item")
        .annotate(delivered=Coalesce(delivered, Value(0)))
        .annotate(
            unmet=F("quantity") - F("delivered"),
            percent=F("delivered") * 100 / F("quantity"),
        )
        .order_by("item__order", "pk")
    )
    return list(lines)


def request_steps(request: EnterpriseRequest) -> QuerySet[RequestStep]:
    return request.steps.select_related("by__staff_profile").order_by("at", "pk")


def request_distributions(*, user, request: EnterpriseRequest) -> QuerySet[Distribution]:
    return (
        Distribution.objects.visible_to(user)
        .filter(request=request)
        .prefetch_related("lines__item")
        .order_by("distributed_at", "pk")
    )


def store_units(*, user) -> QuerySet[Unit]:
    """The units whose store (物资库) the user may keep: their own unit and those below it
    (a station keeps one; an office or community may keep its own)."""
    return Unit.objects.visible_to(user).filter(is_active=True).order_by("path")


def recipient_units(*, user) -> QuerySet[Unit]:
    return Unit.objects.visible_to(user).filter(is_active=True).order_by("path")


def stock_list(*, user, unit: Unit | None = None) -> QuerySet[Stock]:
    stock = Stock.objects.visible_to(user).select_related("unit", "item")
    if unit is not None:
        stock = stock.within(unit)
    return stock.order_by("unit__path", "item__order", "pk")


def ledger_list(
    *, user, unit: Unit | None = None, item: SupplyItem | None = None, since=None, until=None
) -> QuerySet[LedgerLine]:
    """The ledger (物资台账) of the user's stores, newest first: of a store and the stores
    below it, of one item, between two China-time days (inclusive)."""
    # The donation's and distribution's rows come in two queries of their own: joined in,
    # PostgreSQL spent 15–35 ms planning the ten-table join of a 5 ms query.
    lines = (
        LedgerLine.objects.visible_to(user)
        .select_related("unit", "item", "by__staff_profile")
        .prefetch_related(
            Prefetch("donation", Donation.objects.select_related("donor")),
            Prefetch(
                "distribution",
                Distribution.objects.select_related("recipient", "recipient_unit", "request"),
            ),
        )
    )
    if unit is not None:
        lines = lines.within(unit)
    if item is not None:
        lines = lines.filter(item=item)
    if since is not None:
        lines = lines.filter(at__date__gte=since)
    if until is not None:
        lines = lines.filter(at__date__lte=until)
    return lines.order_by("-at", "-pk")


def donor_list(*, user, query: str = "") -> QuerySet[Donor]:
    donors = Donor.objects.visible_to(user).select_related("unit", "enterprise")
    if query:
        donors = donors.filter(name__icontains=query)
    return donors.order_by("name", "pk")


def donation_list(*, user) -> QuerySet[Donation]:
    return (
        Donation.objects.visible_to(user)
        .select_related("unit", "donor", "received_by__staff_profile")
        .prefetch_related("lines__item")
    )


def distribution_list(*, user) -> QuerySet[Distribution]:
    return (
        Distribution.objects.visible_to(user)
        .select_related(
            "unit", "recipient", "recipient_unit", "request", "distributed_by__staff_profile"
        )
        .prefetch_related("lines__item")
    )


def open_supply_requests(*, user) -> QuerySet[EnterpriseRequest]:
    """Pending requests the user may give supplies against: those with items still
    unmet, longest waiting first."""
    return (
        request_list(user=user, status=STATUS_PENDING, sort=SORT_AGE)
        .filter(unmet__gt=0)
        .select_related("enterprise")
    )


def request_enterprises(*, user) -> QuerySet:
    """The enterprises a user may file a request for: a liaison its own, staff their
    subtree's."""
    return enterprises_for(user).select_related("unit").order_by("name", "pk")


def items() -> QuerySet[SupplyItem]:
    return SupplyItem.objects.filter(is_active=True).order_by("order", "code")


def has_items_unmet(request: EnterpriseRequest) -> bool:
    return (
        with_progress(EnterpriseRequest.objects.filter(pk=request.pk)).filter(unmet__gt=0).exists()
    )


def stock_on_hand(*, user, unit: Unit) -> dict[int, int]:
    """Item id -> quantity on hand in the unit's own store."""
    rows = Stock.objects.visible_to(user).filter(unit=unit).values_list("item", "quantity")
    return dict(rows)
