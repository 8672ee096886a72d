"""Public order in the JSON API (/api/v1/publicorder/…): venues, a campaign's venues and
states, the patrol log, check-in by a scanned code, the imported incident rows and the
module's figures. Scoped like the pages; phones masked."""

import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Schema, Status
from ninja.pagination import paginate

from outpost.core.api_support import (
    ApiRouter,
    Code,
    Line,
    Name,
    Pagination,
    api_get_visible,
    personal_data_free,
    scoped_route,
)
from outpost.core.scoping import user_scope_unit
from outpost.publicorder import selectors, services
from outpost.publicorder.models import (
    ClosureCampaign,
    IncidentCount,
    Patrol,
    Venue,
    VenueKind,
)

router = ApiRouter(tags=["publicorder"])


class VenueOut(Schema):
    id: int
    name: str
    kind: str
    kind_name: str
    licence_number: str
    address: str
    unit_id: int
    unit_name: str
    responsible_person: str
    responsible_phone_masked: str
    is_active: bool

    @staticmethod
    def resolve_kind(obj: Venue) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj: Venue) -> str:
        return obj.kind.label

    @staticmethod
    def resolve_unit_name(obj: Venue) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_responsible_phone_masked(obj: Venue) -> str:
        return obj.masked_phone


class ClosureEntryOut(Schema):
    id: int
    venue_id: int
    venue_name: str
    kind: str
    state: str
    persuaded_on: datetime.date | None
    closed_on: datetime.date | None
    inspected_on: datetime.date | None
    reopened_on: datetime.date | None

    @staticmethod
    def resolve_venue_name(obj) -> str:
        return obj.venue.name

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.venue.kind.code


class PatrolOut(Schema):
    id: int
    route_id: int
    route_name: str
    day: datetime.date
    status: str
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    checkpoints_total: int
    checked_in: int
    exception: str
    acknowledged_at: datetime.datetime | None

    @staticmethod
    def resolve_route_name(obj: Patrol) -> str:
        return obj.route.name


class PatrolCheckInIn(Schema):
    """`code`: what the checkpoint's QR code holds (its address, or the token alone)."""

    code: Line


class PatrolCheckInOut(Schema):
    id: int
    checkpoint_id: int
    checkpoint_name: str
    at: datetime.datetime
    patrol: PatrolOut

    @staticmethod
    def resolve_checkpoint_name(obj) -> str:
        return obj.checkpoint.name


class IncidentOut(Schema):
    id: int
    unit_id: int
    day: datetime.date
    category: str
    count: int


class PublicOrderFiguresOut(Schema):
    day: datetime.date
    venues: int
    venues_closed: int
    events_cancelled: int
    patrols: int
    patrol_exceptions: int
    incidents: int


@router.get("/venues", response=list[VenueOut], openapi_extra=scoped_route(Venue))
@paginate(Pagination)
def venue_list(request: HttpRequest, kind: Code = "", q: Name = ""):
    """Venues of the caller's jurisdiction; `kind`: a kind's code (sports, bath, hotel,
    ktv, arcade, …)."""
    qs = selectors.venue_list(user=request.auth, query=q)
    if kind:
        qs = qs.filter(kind__in=VenueKind.objects.filter(code=kind))
    return qs


@router.get("/venues/{venue_id}", response=VenueOut, openapi_extra=scoped_route(Venue))
def venue_detail(request: HttpRequest, venue_id: int):
    return api_get_visible(request, Venue, venue_id)


@router.get(
    "/campaigns/{campaign_id}/venues",
    response=list[ClosureEntryOut],
    openapi_extra=scoped_route(ClosureCampaign),
)
@paginate(Pagination)
def campaign_venues(request: HttpRequest, campaign_id: int, state: Code = ""):
    """The campaign's venues the caller may see and where each stands."""
    campaign = api_get_visible(request, ClosureCampaign, campaign_id)
    return selectors.campaign_entries(user=request.auth, campaign=campaign, state=state)


@router.get("/patrols", response=list[PatrolOut], openapi_extra=scoped_route(Patrol))
@paginate(Pagination)
def patrol_list(request: HttpRequest, day: datetime.date | None = None):
    """The patrol log of a day (China time; today by default)."""
    return selectors.patrol_log(user=request.auth, day=day or timezone.localdate())


@router.post(
    "/patrols/{patrol_id}/check-ins",
    response={201: PatrolCheckInOut},
    openapi_extra=scoped_route(Patrol),
)
def patrol_check_in(request: HttpRequest, patrol_id: int, payload: PatrolCheckInIn):
    """Check the caller's patrol in at the checkpoint whose code was scanned. A code of
    another day, of another route's checkpoint, made up, or a checkpoint checked in
    already: a 422 naming `code`."""
    patrol = api_get_visible(request, Patrol, patrol_id)
    check_in = services.patrol_check_in(
        acting_user=request.auth, patrol=patrol, content=payload.code
    )
    check_in.patrol.refresh_from_db()
    return Status(201, check_in)


@router.get("/incidents", response=list[IncidentOut], openapi_extra=scoped_route(IncidentCount))
@paginate(Pagination)
def incident_list(
    request: HttpRequest, since: datetime.date | None = None, until: datetime.date | None = None
):
    """The imported daily incident counts of the caller's units (the last 30 days by
    default), the rows the dashboard's figures are summed from."""
    until = until or timezone.localdate()
    since = since or until - datetime.timedelta(days=29)
    user = request.auth
    return selectors.incident_rows(
        user=user, unit=user_scope_unit(user), since=since, until=until
    ).order_by("-day", "unit_id", "category")


@router.get(
    "/figures",
    response=PublicOrderFiguresOut,
    openapi_extra=personal_data_free("counts of the caller's own jurisdiction"),
)
def figures(request: HttpRequest, day: datetime.date | None = None):
    """The module's figures of a day (the briefing's): venues, venues closed in the latest
    campaign, cancelled events, patrols and their exceptions, incidents."""
    day = day or timezone.localdate()
    return {"day": day, **selectors.briefing_figures(user=request.auth, day=day)}
