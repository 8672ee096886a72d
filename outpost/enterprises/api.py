"""Enterprises in the JSON API (/api/v1/enterprises/…): the registry's list, detail and
create. Scoped like the pages: staff see their jurisdiction's enterprises, a liaison only
its own; contact phones are masked. The module's other parts add their routes to `router`."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema, Status
from ninja.pagination import paginate

from outpost.core.api_support import (
    ApiRouter,
    Code,
    Line,
    Name,
    Pagination,
    api_get_visible,
    scoped_route,
)
from outpost.core.models import Unit
from outpost.enterprises import selectors
from outpost.enterprises.choices import EnterpriseStatus
from outpost.enterprises.models import Enterprise
from outpost.enterprises.services import enterprise_create

router = ApiRouter(tags=["enterprises"])


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    sector: str
    address: str
    employees: int | None
    is_essential: bool
    status: str
    unit_id: int
    unit_name: str
    created_at: datetime

    @staticmethod
    def resolve_unit_name(obj: Enterprise) -> str:
        return obj.unit.name


class EnterpriseContactOut(Schema):
    id: int
    name: str
    title: str
    phone_masked: str
    is_active: bool

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return obj.masked_phone


class EnterpriseDetailOut(EnterpriseOut):
    contacts: list[EnterpriseContactOut]

    @staticmethod
    def resolve_contacts(obj: Enterprise):
        return obj.contacts_list


class EnterpriseIn(Schema):
    """A new enterprise of the unit `unit_id` (a community or grid of the caller's
    jurisdiction). `credit_code`: 18 characters with a valid GB 32100 check character
    (spaces and full-width characters are accepted and normalised)."""

    unit_id: int
    name: Name
    credit_code: Code
    sector: Code
    address: Line = ""
    employees: int | None = None
    is_essential: bool = False
    status: Code = EnterpriseStatus.OPEN


def _detail(enterprise: Enterprise, user) -> Enterprise:
    """The enterprise with the contacts the caller may see (archived ones too)."""
    enterprise = selectors.enterprise_detail_queryset(user=user).get(pk=enterprise.pk)
    enterprise.contacts_list = list(selectors.enterprise_contacts(user=user, enterprise=enterprise))
    return enterprise


@router.get("/enterprises", response=list[EnterpriseOut], openapi_extra=scoped_route(Enterprise))
@paginate(Pagination)
def enterprise_list(
    request: HttpRequest,
    unit_id: int | None = None,
    sector: Code = "",
    essential: Code = "",
    status: Code = "",
    q: Name = "",
):
    """Enterprises of the caller's jurisdiction (a liaison: its own), by name. `unit_id`:
    that community or grid and below; `essential`: `yes` or `no`; `q`: part of the name,
    or the credit code or its beginning."""
    user = request.auth
    unit = api_get_visible(request, Unit, unit_id) if unit_id is not None else None
    return selectors.enterprise_list(
        user=user, unit=unit, sector=sector, essential=essential, status=status, query=q
    )


@router.get(
    "/enterprises/{enterprise_id}",
    response=EnterpriseDetailOut,
    openapi_extra=scoped_route(Enterprise),
)
def enterprise_detail(request: HttpRequest, enterprise_id: int):
    return _detail(api_get_visible(request, Enterprise, enterprise_id), request.auth)


@router.post(
    "/enterprises",
    response={201: EnterpriseDetailOut},
    openapi_extra=scoped_route(Unit, id_in_body="unit_id"),
)
def enterprise_new(request: HttpRequest, payload: EnterpriseIn):
    """Register an enterprise. A unit outside the caller's jurisdiction is a 404; a bad or
    already registered credit code a 422 naming `credit_code`."""
    user = request.auth
    if not user.has_perm("enterprises.add_enterprise") or selectors.is_liaison(user):
        raise PermissionDenied(_("Your role may not register enterprises."))
    unit = api_get_visible(request, Unit, payload.unit_id)
    data = payload.dict(exclude={"unit_id"})
    enterprise = enterprise_create(acting_user=user, unit=unit, **data)
    return Status(201, _detail(enterprise, user))
