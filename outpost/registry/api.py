from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.pagination import paginate

from outpost.core.api_support import (
    ApiRouter,
    Code,
    Line,
    MaskedPersonFields,
    Name,
    Note,
    Pagination,
    RevealIn,
    api_get_visible,
    scoped_route,
)
from outpost.core.models import Unit
from outpost.core.scoping import user_scope_unit
from outpost.core.services import personal_data_reveal
from outpost.registry import duplicates, selectors
from outpost.registry.choices import (
    DocumentType,
    HealthStatus,
    MemberPresence,
    RelationToHead,
    VisitOutcome,
)
from outpost.registry.models import Campaign, Household, Resident, Visit, VisitMember
from outpost.registry.services import MemberReport, NewPerson, visit_record

router = ApiRouter(tags=["registry"])


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


class ResidentOut(MaskedPersonFields):
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
    def resolve_unit_name(obj: Resident) -> str:
        return obj.unit.name


class ResidentRevealOut(Schema):
    id_number: str
    document_number: str
    phone: str


@router.get("/households", response=list[HouseholdOut], openapi_extra=scoped_route(Household))
@paginate(Pagination)
def household_list(request: HttpRequest, q: Name = ""):
    return selectors.household_list(user=request.auth, query=q)


@router.get(
    "/households/{household_id}", response=HouseholdOut, openapi_extra=scoped_route(Household)
)
def household_detail(request: HttpRequest, household_id: int):
    return api_get_visible(request, Household, household_id)


@router.get("/residents", response=list[ResidentOut], openapi_extra=scoped_route(Resident))
@paginate(Pagination)
def resident_list(request: HttpRequest, q: Name = ""):
    return selectors.resident_list(user=request.auth, query=q)


@router.get("/residents/{resident_id}", response=ResidentOut, openapi_extra=scoped_route(Resident))
def resident_detail(request: HttpRequest, resident_id: int):
    return api_get_visible(request, Resident, resident_id)


@router.post(
    "/residents/{resident_id}/reveal",
    response=ResidentRevealOut,
    openapi_extra=scoped_route(Resident),
)
def resident_reveal(request: HttpRequest, resident_id: int, payload: RevealIn):
    """Unmasked ID and phone of one resident; needs a purpose and is logged."""
    resident = api_get_visible(request, Resident, resident_id)
    return personal_data_reveal(
        acting_user=request.auth,
        instance=resident,
        fields=("id_number", "document_number", "phone"),
        purpose=payload.purpose,
        reason=payload.reason,
        ip_address=request.META.get("REMOTE_ADDR"),
    )


# ---------------------------------------------------------------------------- campaigns and visits


class CampaignOut(Schema):
    id: int
    name: str
    start_date: date
    end_date: date
    is_closed: bool
    unit_id: int
    scope_unit_ids: list[int]

    @staticmethod
    def resolve_scope_unit_ids(obj: Campaign) -> list[int]:
        return [unit.pk for unit in obj.scope_units.all()]


class ProgressRowOut(Schema):
    unit_id: int
    name: str
    kind: str
    households: int
    visited: int
    nobody_home: int
    persons_screened: int
    percent: int


class CampaignProgressOut(Schema):
    campaign_id: int
    unit: ProgressRowOut
    rows: list[ProgressRowOut]


class VisitMemberIn(Schema):
    """A registered member (`resident_id`), or a new person (no `resident_id`, a `name`)."""

    resident_id: int | None = None
    presence: Code = MemberPresence.PRESENT
    travelled: bool = False
    origin_place: Line = ""
    returned_on: date | None = None
    transport: Code = ""
    health_status: Code = HealthStatus.HEALTHY
    phone_confirmed: bool = False
    name: Name = ""
    document_type: Code = DocumentType.RESIDENT_ID
    document_number: Code = ""
    phone: Code = ""
    relation_to_head: Code = RelationToHead.OTHER


class VisitIn(Schema):
    household_id: int
    campaign_id: int | None = None  # default: the newest open campaign covering the household
    outcome: Code = VisitOutcome.COMPLETED
    phone_confirmed: bool = False
    note: Note = ""
    members: list[VisitMemberIn] = []


class VisitMemberOut(Schema):
    resident_id: int
    name: str
    presence: str
    travelled: bool
    origin_place: str
    returned_on: date | None
    transport: str
    health_status: str
    phone_confirmed: bool

    @staticmethod
    def resolve_name(obj: VisitMember) -> str:
        return obj.resident.name


class VisitOut(Schema):
    id: int
    campaign_id: int
    household_id: int
    household_number: str
    unit_id: int
    outcome: str
    visited_at: datetime
    visited_by: str
    phone_confirmed: bool
    note: str
    members: list[VisitMemberOut]
    # New members not added: the station checks them first (their number is registered
    # where the caller may not see it).
    sent_to_station: list[str] = []

    @staticmethod
    def resolve_sent_to_station(obj: Visit) -> list[str]:
        return getattr(obj, "sent_to_station", [])

    @staticmethod
    def resolve_household_number(obj: Visit) -> str:
        return obj.household.household_number

    @staticmethod
    def resolve_visited_by(obj: Visit) -> str:
        return obj.visited_by.get_username()

    @staticmethod
    def resolve_members(obj: Visit) -> list[VisitMember]:
        return list(obj.members.select_related("resident").order_by("pk"))


@router.get("/campaigns", response=list[CampaignOut], openapi_extra=scoped_route(Campaign))
@paginate(Pagination)
def campaign_list(request: HttpRequest):
    return selectors.campaign_list(user=request.auth)


@router.get(
    "/campaigns/{campaign_id}/progress",
    response=CampaignProgressOut,
    openapi_extra=scoped_route(Campaign),
)
def campaign_progress(request: HttpRequest, campaign_id: int, unit_id: int | None = None):
    """Households visited / total and persons screened, for a unit and each unit below it
    (default: the caller's unit)."""
    campaign = api_get_visible(request, Campaign, campaign_id)
    if unit_id is not None:
        base = api_get_visible_unit(request, unit_id)
    else:
        base = user_scope_unit(request.auth) or campaign.unit
    progress = selectors.campaign_progress(user=request.auth, campaign=campaign, base=base)
    return {"campaign_id": campaign.pk, "unit": progress.base, "rows": progress.rows}


def api_get_visible_unit(request: HttpRequest, unit_id: int) -> Unit:
    unit = Unit.objects.visible_to(request.auth).filter(pk=unit_id).first()
    if unit is None:
        raise Http404(Unit._meta.verbose_name)
    return unit


@router.post(
    "/visits",
    response=VisitOut,
    openapi_extra=scoped_route(Household, id_in_body="household_id"),
)
def visit_create(request: HttpRequest, payload: VisitIn):
    """Record the door-to-door visit of a household, or record it again (one visit per
    campaign and household: a second call updates it). A household outside the caller's
    jurisdiction is a 404."""
    user = request.auth
    household = api_get_visible(request, Household, payload.household_id)
    if payload.campaign_id is not None:
        campaign = api_get_visible(request, Campaign, payload.campaign_id)
    else:
        campaign = selectors.campaigns_open_for_household(user=user, household=household).first()
        if campaign is None:
            raise ValidationError(
                {"campaign_id": _("No open screening campaign covers this household.")}
            )
    members = [member_report(member) for member in payload.members]
    visit = visit_record(
        acting_user=user,
        campaign=campaign,
        household=household,
        outcome=payload.outcome,
        members=members,
        phone_confirmed=payload.phone_confirmed,
        note=payload.note,
    )
    saved = Visit.objects.select_related("household", "visited_by").get(pk=visit.pk)
    saved.sent_to_station = visit.sent_to_station
    return saved


def member_report(member: VisitMemberIn) -> MemberReport:
    """The service's report of one member as the API (or a phone's queued visit) sent it."""
    declaration = {
        "travelled": member.travelled,
        "origin_place": member.origin_place,
        "returned_on": member.returned_on,
        "transport": member.transport,
        "health_status": member.health_status,
        "phone_confirmed": member.phone_confirmed,
    }
    if member.resident_id is None:
        person = NewPerson(
            name=member.name,
            document_type=member.document_type,
            document_number=member.document_number,
            phone=member.phone,
            relation_to_head=member.relation_to_head,
        )
        return MemberReport(new_person=person, presence=MemberPresence.NEW, **declaration)
    return MemberReport(resident_id=member.resident_id, presence=member.presence, **declaration)


# ---------------------------------------------------------------------------- duplicates


class DuplicateMatchOut(Schema):
    id: int
    reasons: list[str]


class DuplicateResidentOut(ResidentOut):
    duplicates: list[DuplicateMatchOut]

    @staticmethod
    def resolve_duplicates(obj: Resident) -> list[dict]:
        return obj.duplicate_matches


@router.get(
    "/duplicates", response=list[DuplicateResidentOut], openapi_extra=scoped_route(Resident)
)
@paginate(Pagination)
def duplicate_list(request: HttpRequest):
    """Residents with likely duplicates (疑似重复人员), masked, each with the other records
    and why they match: `same_id`, `name_birth_date`, `name_phone`."""
    keys = duplicates.duplicate_pair_keys(user=request.auth)
    return duplicates.DuplicateResidents(user=request.auth, keys=keys)
