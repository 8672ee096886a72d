"""Key persons in the JSON API: list, detail, create, lifecycle steps, reveal. Scoped and
masked like the pages; nothing is ever deleted."""

from datetime import date, datetime

from django.contrib.auth import get_user_model
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
from outpost.core.services import personal_data_reveal
from outpost.keypersons import selectors
from outpost.keypersons.choices import (
    ContactChannel,
    ContactOutcome,
    KeyPersonCategory,
    KeyPersonStatus,
    SourceType,
)
from outpost.keypersons.models import ContactEntry, KeyPerson, KeyPersonSource, TeamMember
from outpost.keypersons.services import (
    contact_log,
    key_person_create,
    key_person_status_change,
    team_confirm,
    team_propose,
)
from outpost.registry.models import Resident
from outpost.screening.models import OriginCategory, ScreeningRun

router = ApiRouter(tags=["keypersons"])


class KeyPersonOut(MaskedPersonFields):
    id: int
    name: str
    resident_id: int | None
    id_number_masked: str
    phone_masked: str
    unit_id: int
    unit_name: str
    category: str
    source_type: str
    screening_run_id: int | None
    origin_category: str | None
    arrival_date: date | None
    status: str
    identified_on: date
    managed_from: date | None
    closed_on: date | None
    closed_reason: str

    @staticmethod
    def resolve_name(obj: KeyPerson) -> str:
        return obj.display_name

    @staticmethod
    def resolve_unit_name(obj: KeyPerson) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_origin_category(obj: KeyPerson) -> str | None:
        return obj.origin_category.code if obj.origin_category_id else None


class KeyPersonSourceOut(Schema):
    source_type: str
    screening_run_id: int | None
    origin_category: str | None
    arrival_date: date | None
    note: str
    noted_at: datetime

    @staticmethod
    def resolve_origin_category(obj: KeyPersonSource) -> str | None:
        return obj.origin_category.code if obj.origin_category_id else None


class KeyPersonDetailOut(KeyPersonOut):
    address_note: str
    source_note: str
    sources: list[KeyPersonSourceOut]

    @staticmethod
    def resolve_sources(obj: KeyPerson) -> list[KeyPersonSource]:
        # A source is scoped by its key person, which the caller may see.
        return list(obj.sources.select_related("origin_category").order_by("noted_at", "pk"))


class KeyPersonIn(Schema):
    """A resident (`resident_id`), or a person not in the registry (`name`, `unit_id` and
    what else is known). `category` defaults to other, `source_type` to manual."""

    resident_id: int | None = None
    name: Name = ""
    id_number: Code = ""
    phone: Code = ""
    address_note: Line = ""
    unit_id: int | None = None
    category: Code = KeyPersonCategory.OTHER
    source_type: Code = SourceType.MANUAL
    screening_run_id: int | None = None
    origin_category: Code = ""  # an origin category code, e.g. "wuhan"
    arrival_date: date | None = None
    source_note: Line = ""
    identified_on: date | None = None


class StepIn(Schema):
    """`reason` is required to close (release, transfer, move away); `on` defaults to today."""

    reason: Note = ""
    on: date | None = None


class KeyPersonRevealOut(Schema):
    id_number: str
    phone: str


def _detail(key_person: KeyPerson, user) -> KeyPerson:
    return selectors.key_person_detail_queryset(user=user).get(pk=key_person.pk)


@router.get("/key-persons", response=list[KeyPersonOut], openapi_extra=scoped_route(KeyPerson))
@paginate(Pagination)
def key_person_list(
    request: HttpRequest,
    status: Code = "",
    category: Code = "",
    unit_id: int | None = None,
    run_id: int | None = None,
    q: Name = "",
):
    """Key persons of the caller's jurisdiction, newest first. `status`: one status, or
    `active` / `closed`; `unit_id`: that community or grid and below; `run_id`: those the
    screening run named."""
    user = request.auth
    unit = api_get_visible(request, Unit, unit_id) if unit_id is not None else None
    run = api_get_visible(request, ScreeningRun, run_id) if run_id is not None else None
    return selectors.key_person_list(
        user=user, status=status, category=category, unit=unit, run=run, query=q
    )


@router.get(
    "/key-persons/{key_person_id}",
    response=KeyPersonDetailOut,
    openapi_extra=scoped_route(KeyPerson),
)
def key_person_detail(request: HttpRequest, key_person_id: int):
    return _detail(api_get_visible(request, KeyPerson, key_person_id), request.auth)


@router.post(
    "/key-persons",
    response=KeyPersonDetailOut,
    openapi_extra=scoped_route(Resident, id_in_body="resident_id"),
)
def key_person_new(request: HttpRequest, payload: KeyPersonIn):
    """Make a resident, or a person not in the registry, a key person. A resident or unit
    outside the caller's jurisdiction is a 404; a resident who is already an active key
    person is a 422."""
    user = request.auth
    resident = (
        api_get_visible(request, Resident, payload.resident_id)
        if payload.resident_id is not None
        else None
    )
    unit = api_get_visible(request, Unit, payload.unit_id) if payload.unit_id is not None else None
    run = (
        api_get_visible(request, ScreeningRun, payload.screening_run_id)
        if payload.screening_run_id is not None
        else None
    )
    origin_category = None
    if payload.origin_category:
        origin_category = OriginCategory.objects.filter(code=payload.origin_category).first()
        if origin_category is None:
            raise ValidationError({"origin_category": _("Unknown origin category.")})
    key_person = key_person_create(
        acting_user=user,
        resident=resident,
        unit=None if resident else unit,
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
        address_note=payload.address_note,
        category=payload.category,
        source_type=payload.source_type,
        screening_run=run,
        origin_category=origin_category,
        arrival_date=payload.arrival_date,
        source_note=payload.source_note,
        identified_on=payload.identified_on,
    )
    return _detail(key_person, user)


def _step(request: HttpRequest, key_person_id: int, status: str, payload: StepIn):
    key_person = api_get_visible(request, KeyPerson, key_person_id, "change")
    key_person = key_person_status_change(
        acting_user=request.auth,
        key_person=key_person,
        status=status,
        reason=payload.reason,
        on=payload.on,
    )
    return _detail(key_person, request.auth)


@router.post(
    "/key-persons/{key_person_id}/manage",
    response=KeyPersonDetailOut,
    openapi_extra=scoped_route(KeyPerson),
)
def key_person_manage(request: HttpRequest, key_person_id: int, payload: StepIn):
    """Take an identified key person under management (纳入管控); `reason` is an optional
    note."""
    return _step(request, key_person_id, KeyPersonStatus.UNDER_MANAGEMENT, payload)


@router.post(
    "/key-persons/{key_person_id}/release",
    response=KeyPersonDetailOut,
    openapi_extra=scoped_route(KeyPerson),
)
def key_person_release(request: HttpRequest, key_person_id: int, payload: StepIn):
    """Close: released from management (解除管控). Needs a `reason`."""
    return _step(request, key_person_id, KeyPersonStatus.RELEASED, payload)


@router.post(
    "/key-persons/{key_person_id}/transfer",
    response=KeyPersonDetailOut,
    openapi_extra=scoped_route(KeyPerson),
)
def key_person_transfer(request: HttpRequest, key_person_id: int, payload: StepIn):
    """Close: transferred to another authority (移交). Needs a `reason`."""
    return _step(request, key_person_id, KeyPersonStatus.TRANSFERRED, payload)


@router.post(
    "/key-persons/{key_person_id}/move-away",
    response=KeyPersonDetailOut,
    openapi_extra=scoped_route(KeyPerson),
)
def key_person_move_away(request: HttpRequest, key_person_id: int, payload: StepIn):
    """Close: the person moved away (离连). Needs a `reason`."""
    return _step(request, key_person_id, KeyPersonStatus.MOVED_AWAY, payload)


@router.post(
    "/key-persons/{key_person_id}/reveal",
    response=KeyPersonRevealOut,
    openapi_extra=scoped_route(KeyPerson),
)
def key_person_reveal(request: HttpRequest, key_person_id: int, payload: RevealIn):
    """Unmasked ID number and phone of a person not in the registry (a resident's are
    revealed through the registry); needs a purpose and is logged."""
    key_person = api_get_visible(request, KeyPerson, key_person_id)
    return personal_data_reveal(
        acting_user=request.auth,
        instance=key_person,
        fields=("id_number", "phone"),
        purpose=payload.purpose,
        reason=payload.reason,
        ip_address=request.META.get("REMOTE_ADDR"),
    )


# ---------------------------------------------------------------------------- teams and contacts


class TeamMemberOut(Schema):
    id: int
    role: str
    role_name: str
    worker_id: int
    worker_name: str
    worker_unit: str
    status: str
    assigned_at: datetime
    confirmed_at: datetime | None

    @staticmethod
    def resolve_role(obj: TeamMember) -> str:
        return obj.role.code

    @staticmethod
    def resolve_role_name(obj: TeamMember) -> str:
        return obj.role.name

    @staticmethod
    def resolve_worker_name(obj: TeamMember) -> str:
        profile = getattr(obj.worker, "staff_profile", None)
        return profile.display_name if profile else obj.worker.username

    @staticmethod
    def resolve_worker_unit(obj: TeamMember) -> str:
        profile = getattr(obj.worker, "staff_profile", None)
        return profile.unit.name if profile else ""


class TeamPlaceIn(Schema):
    role: Code  # a team role's code, e.g. "grid"
    worker_id: int


class TeamConfirmIn(Schema):
    """`members`: places to change (role code and worker); the other places keep their
    current member. Every current member is confirmed."""

    members: list[TeamPlaceIn] = []


class ContactIn(Schema):
    """One contact; `channel` defaults to a phone call, `outcome` to reached,
    `contacted_at` to now."""

    channel: Code = ContactChannel.PHONE
    outcome: Code = ContactOutcome.REACHED
    contacted_at: datetime | None = None
    note: Note = ""


class ContactOut(Schema):
    id: int
    key_person_id: int
    key_person_name: str
    worker_id: int
    worker_name: str
    contacted_at: datetime
    channel: str
    outcome: str
    note: str

    @staticmethod
    def resolve_key_person_name(obj: ContactEntry) -> str:
        return obj.key_person.display_name

    @staticmethod
    def resolve_worker_name(obj: ContactEntry) -> str:
        profile = getattr(obj.worker, "staff_profile", None)
        return profile.display_name if profile else obj.worker.username


class KeyPersonContactStateOut(KeyPersonOut):
    last_contact_at: datetime | None
    is_overdue: bool


def _team(key_person: KeyPerson, user) -> list[TeamMember]:
    return list(selectors.current_team(user=user, key_person=key_person))


@router.get(
    "/key-persons/{key_person_id}/team",
    response=list[TeamMemberOut],
    openapi_extra=scoped_route(KeyPerson),
)
def team_list(request: HttpRequest, key_person_id: int):
    """The key person's current four-on-one team (四包一), proposed or confirmed."""
    key_person = api_get_visible(request, KeyPerson, key_person_id)
    return _team(key_person, request.auth)


@router.post(
    "/key-persons/{key_person_id}/team/propose",
    response=list[TeamMemberOut],
    openapi_extra=scoped_route(KeyPerson),
)
def team_propose_route(request: HttpRequest, key_person_id: int):
    """Propose members for the empty places of the team; returns the current team."""
    key_person = api_get_visible(request, KeyPerson, key_person_id, "change")
    team_propose(acting_user=request.auth, key_person=key_person)
    return _team(key_person, request.auth)


@router.post(
    "/key-persons/{key_person_id}/team/confirm",
    response=list[TeamMemberOut],
    openapi_extra=scoped_route(KeyPerson),
)
def team_confirm_route(request: HttpRequest, key_person_id: int, payload: TeamConfirmIn):
    """Confirm the team, changing the places in `members`. A worker who does not hold the
    place's staff role, or whose unit does not cover the key person's, is a 422 naming the
    place; a worker the caller cannot see is a 404."""
    user = request.auth
    key_person = api_get_visible(request, KeyPerson, key_person_id, "change")
    workers = {}
    for place in payload.members:
        worker = (
            get_user_model()
            .objects.filter(pk=place.worker_id, is_active=True)
            .select_related("staff_profile__unit")
            .first()
        )
        if worker is None:
            raise Http404("worker")
        workers[place.role] = worker
    team_confirm(acting_user=user, key_person=key_person, workers=workers)
    return _team(key_person, user)


@router.get(
    "/key-persons/{key_person_id}/contacts",
    response=list[ContactOut],
    openapi_extra=scoped_route(KeyPerson),
)
@paginate(Pagination)
def key_person_contacts(request: HttpRequest, key_person_id: int):
    """The contacts logged with one key person, newest first."""
    key_person = api_get_visible(request, KeyPerson, key_person_id)
    return selectors.contact_entries(user=request.auth, key_person=key_person)


@router.post(
    "/key-persons/{key_person_id}/contacts",
    response=ContactOut,
    openapi_extra=scoped_route(KeyPerson),
)
def contact_new(request: HttpRequest, key_person_id: int, payload: ContactIn):
    """Log a contact with the key person as the caller (a team member, or a user who may
    change the key person). A time in the future is a 422."""
    key_person = api_get_visible(request, KeyPerson, key_person_id)
    entry = contact_log(
        acting_user=request.auth,
        key_person=key_person,
        channel=payload.channel,
        outcome=payload.outcome,
        contacted_at=payload.contacted_at,
        note=payload.note,
    )
    return selectors.contact_entries(user=request.auth).get(pk=entry.pk)


@router.get("/contacts", response=list[ContactOut], openapi_extra=scoped_route(ContactEntry))
@paginate(Pagination)
def contact_list(
    request: HttpRequest,
    unit_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
):
    """The contact ledger (工作台账) of the caller's jurisdiction, newest first: of a unit
    and below (`unit_id`), between two days (inclusive)."""
    unit = api_get_visible(request, Unit, unit_id) if unit_id is not None else None
    return selectors.contact_entries(user=request.auth, unit=unit, since=since, until=until)


@router.get(
    "/my-key-persons",
    response=list[KeyPersonContactStateOut],
    openapi_extra=scoped_route(KeyPerson),
)
@paginate(Pagination)
def my_key_persons(request: HttpRequest):
    """The caller's own four-on-one list: active key persons they hold a team place for,
    overdue ones first."""
    return selectors.my_key_persons(user=request.auth, worker=request.auth)


@router.get(
    "/overdue",
    response=list[KeyPersonContactStateOut],
    openapi_extra=scoped_route(KeyPerson),
)
@paginate(Pagination)
def overdue_list(request: HttpRequest, unit_id: int | None = None, worker_id: int | None = None):
    """Key persons under management overdue for a contact, longest without contact first;
    of a unit and below (`unit_id`) or of one worker's team places (`worker_id`)."""
    user = request.auth
    unit = api_get_visible(request, Unit, unit_id) if unit_id is not None else None
    worker = selectors.visible_worker(user=user, worker_id=worker_id) if worker_id else None
    return selectors.overdue_key_persons(user=user, unit=unit, worker=worker)
