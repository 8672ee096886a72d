from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from outpost.core.api_support import api_get_visible, scoped_route
from outpost.core.services import personal_data_reveal
from outpost.registry import selectors
from outpost.registry.models import Household, Resident

router = Router(tags=["registry"])


class HouseholdOut(Schema):
    id: int
    household_number: str
    address_masked: str
    phone_masked: str
    unit_id: int
    unit_name: str
    is_rental: bool

    @staticmethod
    def resolve_address_masked(obj: Household) -> str:
        return obj.masked_address

    @staticmethod
    def resolve_phone_masked(obj: Household) -> str:
        return obj.masked_phone

    @staticmethod
    def resolve_unit_name(obj: Household) -> str:
        return obj.unit.name


class ResidentOut(Schema):
    id: int
    name: str
    sex: str
    birth_year: int | None
    document_type: str
    id_number_masked: str
    phone_masked: str
    residence_type: str
    household_id: int | None
    unit_id: int
    unit_name: str

    @staticmethod
    def resolve_birth_year(obj: Resident) -> int | None:
        return obj.birth_date.year if isinstance(obj.birth_date, date) else None

    @staticmethod
    def resolve_id_number_masked(obj: Resident) -> str:
        return obj.masked_id_number

    @staticmethod
    def resolve_phone_masked(obj: Resident) -> str:
        return obj.masked_phone

    @staticmethod
    def resolve_unit_name(obj: Resident) -> str:
        return obj.unit.name


class RevealIn(Schema):
    reason: str


class RevealOut(Schema):
    id_number: str
    document_number: str
    phone: str


@router.get("/households", response=list[HouseholdOut], openapi_extra=scoped_route(Household))
@paginate(LimitOffsetPagination)
def household_list(request: HttpRequest, q: str = ""):
    return selectors.household_list(user=request.auth, query=q)


@router.get(
    "/households/{household_id}", response=HouseholdOut, openapi_extra=scoped_route(Household)
)
def household_detail(request: HttpRequest, household_id: int):
    return api_get_visible(request, Household, household_id)


@router.get("/residents", response=list[ResidentOut], openapi_extra=scoped_route(Resident))
@paginate(LimitOffsetPagination)
def resident_list(request: HttpRequest, q: str = ""):
    return selectors.resident_list(user=request.auth, query=q)


@router.get("/residents/{resident_id}", response=ResidentOut, openapi_extra=scoped_route(Resident))
def resident_detail(request: HttpRequest, resident_id: int):
    return api_get_visible(request, Resident, resident_id)


@router.post(
    "/residents/{resident_id}/reveal", response=RevealOut, openapi_extra=scoped_route(Resident)
)
def resident_reveal(request: HttpRequest, resident_id: int, payload: RevealIn):
    """Unmasked ID and phone of one resident; needs a reason and is logged."""
    resident = api_get_visible(request, Resident, resident_id)
    try:
        return personal_data_reveal(
            acting_user=request.auth,
            instance=resident,
            fields=("id_number", "document_number", "phone"),
            reason=payload.reason,
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from exc
