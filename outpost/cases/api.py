"""Enforcement cases in the JSON API, under /api/v1/cases/: scoped like the pages, parties'
ID numbers masked, the detention dates from the one date engine, the custody chain
append-only (a move is a POST, never a PUT or DELETE)."""

import datetime
from decimal import Decimal
from typing import Annotated

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from ninja import Field, Schema, Status
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from outpost.cases import selectors, services
from outpost.cases.choices import CaseKind, CaseState, ItemState, MeasureKind, MoveKind
from outpost.cases.models import Case, Measure, Party, SeizedItem
from outpost.core.api_support import (
    ApiRouter,
    Line,
    Note,
    Pagination,
    api_get_visible,
    personal_data_free,
    scoped_route,
)

router = ApiRouter(tags=["cases"])


def _name(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else user.get_username()


class PartyOut(Schema):
    id: int
    kind: str
    name: str
    id_number_masked: str
    credit_code: str
    role: str

    @staticmethod
    def resolve_id_number_masked(obj: Party) -> str:
        return obj.masked_id_number


class MeasureOut(Schema):
    id: int
    kind: str
    party_id: int | None
    decided_on: datetime.date
    detention_days: int | None
    detention_start: datetime.datetime | None
    deferral_days: int | None
    deferral_reason: str
    deferral_until: datetime.date | None = Field(description="Last day of the deferral.")
    custody_from: datetime.date | None = Field(description="First day in custody.")
    custody_until: datetime.date | None = Field(description="Last day in custody (inclusive).")
    fine_amount: Decimal | None
    fine_paid: bool
    fine_due: datetime.date | None
    transferred_to: str

    @staticmethod
    def resolve_deferral_until(obj: Measure):
        return obj.plan.deferral_until if obj.plan else None

    @staticmethod
    def resolve_custody_from(obj: Measure):
        return obj.plan.starts_on if obj.plan else None

    @staticmethod
    def resolve_custody_until(obj: Measure):
        return obj.plan.ends_on if obj.plan else None


class CaseOut(Schema):
    id: int
    number: str
    kind: str
    occurred_on: datetime.date
    unit_id: int
    unit_name: str
    state: str
    handling_due: datetime.date

    @staticmethod
    def resolve_unit_name(obj: Case) -> str:
        return obj.unit.name


class CaseDetailOut(CaseOut):
    summary: str
    linked_text: str
    enterprise_id: int | None
    parties: list[PartyOut]
    measures: list[MeasureOut]

    @staticmethod
    def resolve_parties(obj: Case):
        return list(obj.parties.all())

    @staticmethod
    def resolve_measures(obj: Case):
        return list(obj.measures.all())


class MoveOut(Schema):
    id: int
    kind: str
    from_name: str
    to_name: str
    location: str
    at: datetime.datetime
    reason: str
    approved_by_name: str

    @staticmethod
    def resolve_from_name(obj) -> str:
        return _name(obj.from_user)

    @staticmethod
    def resolve_to_name(obj) -> str:
        return _name(obj.to_user) or obj.to_outside

    @staticmethod
    def resolve_approved_by_name(obj) -> str:
        return _name(obj.approved_by)


class SeizedItemOut(Schema):
    id: int
    case_id: int
    case_number: str
    description: str
    specification: str
    quantity: Decimal
    measure: str
    state: str
    holder_name: str
    location: str

    @staticmethod
    def resolve_case_number(obj: SeizedItem) -> str:
        return obj.case.number

    @staticmethod
    def resolve_holder_name(obj: SeizedItem) -> str:
        return _name(obj.holder)


class SeizedItemDetailOut(SeizedItemOut):
    chain: list[MoveOut]


class MeasureIn(Schema):
    kind: MeasureKind
    party_id: int | None = None
    decided_on: datetime.date
    detention_days: int | None = Field(None, ge=1, le=20)
    detention_start: datetime.datetime | None = None
    deferral_days: int | None = Field(None, ge=-1000, le=1000)
    deferral_reason: Line = ""
    # Documented as a number (yuan, two decimals): not as a free string beside it.
    fine_amount: Annotated[
        Decimal | None,
        WithJsonSchema({"type": ["number", "null"], "minimum": -(10**9), "maximum": 10**9}),
    ] = Field(None, ge=-(10**9), le=10**9, decimal_places=2)
    fine_paid: bool = False
    transferred_to: Line = ""
    note: Note = ""


class MoveIn(Schema):
    kind: MoveKind = Field(description="store or transfer; return and destroy need approval.")
    to_user_id: int | None = None
    to_outside: Line = ""
    location: Line = ""
    reason: Line


class CaseFiguresOut(Schema):
    cases: int
    by_state: dict[str, int]
    by_kind: dict[str, int]
    measures: dict[str, int]
    detention_days: int
    fines_total: Decimal
    items: int
    items_by_state: dict[str, int]


@router.get("/cases", response=list[CaseOut], openapi_extra=scoped_route(Case))
@paginate(Pagination)
def case_list(request: HttpRequest, kind: CaseKind | None = None, state: CaseState | None = None):
    return selectors.case_list(user=request.auth, kind=kind or "", state=state or "")


@router.get("/cases/{case_id}", response=CaseDetailOut, openapi_extra=scoped_route(Case))
def case_detail(request: HttpRequest, case_id: int):
    return api_get_visible(request, Case, case_id)


@router.post(
    "/cases/{case_id}/measures", response={201: MeasureOut}, openapi_extra=scoped_route(Case)
)
def measure_add(request: HttpRequest, case_id: int, payload: MeasureIn):
    case = api_get_visible(request, Case, case_id, "change")
    data = payload.dict()
    party_id = data.pop("party_id")
    party = case.parties.filter(pk=party_id).first() if party_id else None
    if party_id and party is None:
        raise Http404("party")
    measure = services.measure_record(acting_user=request.auth, case=case, party=party, **data)
    return Status(201, measure)


@router.get(
    "/figures",
    response=CaseFiguresOut,
    openapi_extra=personal_data_free("counts of the user's own scope only"),
)
def figures(request: HttpRequest):
    f = selectors.case_figures(user=request.auth)
    return {
        "cases": f.cases,
        "by_state": dict(f.by_state),
        "by_kind": dict(f.by_kind),
        "measures": dict(f.measures),
        "detention_days": f.detention_days,
        "fines_total": f.fines_total,
        "items": f.items,
        "items_by_state": dict(f.items_by_state),
    }


@router.get("/items", response=list[SeizedItemOut], openapi_extra=scoped_route(SeizedItem))
@paginate(Pagination)
def item_list(request: HttpRequest, state: ItemState | None = None):
    return selectors.item_list(user=request.auth, state=state or "")


@router.get(
    "/items/{item_id}", response=SeizedItemDetailOut, openapi_extra=scoped_route(SeizedItem)
)
def item_detail(request: HttpRequest, item_id: int):
    item = api_get_visible(request, SeizedItem, item_id)
    item.chain = list(selectors.custody_chain(item, request.auth))
    return item


@router.post(
    "/items/{item_id}/moves", response={201: MoveOut}, openapi_extra=scoped_route(SeizedItem)
)
def item_move(request: HttpRequest, item_id: int, payload: MoveIn):
    item = api_get_visible(request, SeizedItem, item_id, "change")
    to_user = None
    if payload.to_user_id is not None:
        to_user = services.case_colleagues(item.case).filter(pk=payload.to_user_id).first()
        if to_user is None:
            raise Http404(get_user_model()._meta.verbose_name)
    move = services.item_move(
        acting_user=request.auth,
        item=item,
        kind=payload.kind,
        reason=payload.reason,
        to_user=to_user,
        to_outside=payload.to_outside,
        location=payload.location,
    )
    return Status(201, move)
