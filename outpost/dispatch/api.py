"""Dispatch orders in the JSON API: orders with their progress, their items, my items, and
recording a result with the item's version. Scoped and masked like the pages."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Schema
from ninja.pagination import paginate

from outpost.core.api_support import (
    ApiRouter,
    Code,
    ErrorOut,
    Line,
    MaskedPersonFields,
    Note,
    Pagination,
    api_get_visible,
    scoped_route,
)
from outpost.dispatch import selectors, services
from outpost.dispatch.models import DispatchItem, DispatchOrder

router = ApiRouter(tags=["dispatch"])


class ProgressOut(Schema):
    total: int
    done: int
    open: int
    overdue: int
    to_route: int
    review: int


class OrderOut(Schema):
    id: int
    order_number: str
    issuing_body: str
    title: str
    unit_id: int
    received_at: datetime
    deadline: datetime
    overdue: bool
    status: str
    total_items: int

    @staticmethod
    def resolve_overdue(obj: DispatchOrder) -> bool:
        return obj.is_overdue

    @staticmethod
    def resolve_total_items(obj: DispatchOrder, context) -> int:
        """The items the caller may see (an office: its own items of a station's order)."""
        return selectors.order_item_count(order=obj, user=context["request"].auth)


class OrderDetailOut(OrderOut):
    headers: list[str]
    progress: ProgressOut | None


class ItemOut(MaskedPersonFields):
    id: int
    order_id: int
    row_number: int
    name: str
    id_number_masked: str
    phone_masked: str
    unit_id: int
    match_status: str
    resident_id: int | None
    duplicate_of_row: int | None
    assigned_officer_id: int | None
    result: str
    moved_to: str
    note: str
    result_at: datetime | None
    overdue: bool
    version: int

    @staticmethod
    def resolve_duplicate_of_row(obj: DispatchItem) -> int | None:
        return obj.duplicate_of.row_number if obj.duplicate_of_id else None

    @staticmethod
    def resolve_note(obj: DispatchItem) -> str:
        return obj.result_note

    @staticmethod
    def resolve_overdue(obj: DispatchItem) -> bool:
        return obj.is_overdue


class ResultIn(Schema):
    version: int
    result: Code
    moved_to: Line = ""
    note: Note = ""
    result_at: datetime | None = None


class ItemResultOut(Schema):
    id: int
    version: int
    result: str
    result_at: datetime | None


@router.get("/orders", response=list[OrderOut], openapi_extra=scoped_route(DispatchOrder))
@paginate(Pagination)
def order_list(request: HttpRequest):
    """Orders of the caller's jurisdiction, newest first."""
    return selectors.order_list(user=request.auth)


@router.get(
    "/orders/{order_id}", response=OrderDetailOut, openapi_extra=scoped_route(DispatchOrder)
)
def order_detail(request: HttpRequest, order_id: int):
    """One order with its progress against the deadline (items the caller may see)."""
    order = api_get_visible(request, DispatchOrder, order_id)
    order.progress = None
    if not order.is_reading:
        order.progress = selectors.order_progress(order=order, user=request.auth).overall
    return order


@router.get(
    "/orders/{order_id}/items", response=list[ItemOut], openapi_extra=scoped_route(DispatchOrder)
)
@paginate(Pagination)
def order_items(request: HttpRequest, order_id: int, show: Code = ""):
    """The items of an order the caller may see, by row; `show`: open, overdue or done."""
    order = api_get_visible(request, DispatchOrder, order_id)
    return selectors.order_items(order=order, user=request.auth, show=show)


@router.get("/items/mine", response=list[ItemOut], openapi_extra=scoped_route(DispatchItem))
@paginate(Pagination)
def my_items(request: HttpRequest, show: Code = "open", order_id: int | None = None):
    """The items routed to the caller; `show`: open (default), done or all."""
    return selectors.my_items(user=request.auth, order_id=order_id, show=show)


@router.post(
    "/items/{item_id}/result",
    response={200: ItemResultOut, 409: ErrorOut},
    openapi_extra=scoped_route(DispatchItem),
)
def item_result(request: HttpRequest, item_id: int, payload: ResultIn):
    """Record what was found on the ground. Send the `version` the item was read at: if
    someone recorded a result since, nothing is saved and the answer is 409."""
    item = api_get_visible(request, DispatchItem, item_id, "change")
    return services.item_result_record(
        acting_user=request.auth,
        item=item,
        version=payload.version,
        result=payload.result,
        moved_to=payload.moved_to,
        note=payload.note,
        result_at=payload.result_at,
    )
