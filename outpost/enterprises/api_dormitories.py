"""Dormitory coordination in the JSON API, under /api/v1/enterprises/dormitories/: offers
with their rooms and occupancy, requests, the rooms that fit a request, booking, stays and
their end. Scoped like the pages (a liaison: its own enterprise); phones masked unless
revealed with a purpose; nothing is deleted."""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Schema
from ninja.pagination import paginate

from outpost.core.api_support import (
    ApiRouter,
    Code,
    Line,
    Name,
    Pagination,
    RevealIn,
    api_get_visible,
    scoped_route,
)
from outpost.core.services import personal_data_reveal
from outpost.enterprises import selectors_dormitories as selectors
from outpost.enterprises import services_dormitories as services
from outpost.enterprises.choices_dormitories import DormitoryRequestStatus, OfferStatus
from outpost.enterprises.models import (
    DormitoryOffer,
    DormitoryRequest,
    DormitoryRoom,
    DormitoryStay,
    Enterprise,
)
from outpost.enterprises.models.dormitories import MAX_BEDS_PER_ROOM, MAX_NIGHTS

router = ApiRouter(tags=["enterprises"])


class DormitoryRoomOut(Schema):
    id: int
    label: str
    beds: int


class OfferOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    address: str
    available_from: date
    available_until: date
    note: str
    status: str
    rooms: list[DormitoryRoomOut]

    @staticmethod
    def resolve_enterprise_name(obj: DormitoryOffer) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_rooms(obj: DormitoryOffer) -> list[DormitoryRoom]:
        return list(obj.rooms.all())


class NightOut(Schema):
    night: date
    taken: int
    free: int
    offered: bool


class RoomOccupancyOut(DormitoryRoomOut):
    nights: list[NightOut]


class OfferDetailOut(OfferOut):
    occupancy: list[RoomOccupancyOut]


class RoomIn(Schema):
    label: Name = Field(max_length=40)
    beds: int = Field(ge=1, le=MAX_BEDS_PER_ROOM)


class OfferIn(Schema):
    """An offer of idle rooms by `enterprise_id`, from the first to the last night a guest
    may sleep there."""

    enterprise_id: int
    address: Line
    available_from: date
    available_until: date
    rooms: list[RoomIn] = Field(min_length=1, max_length=200)
    note: Line = ""


class DormitoryRequestOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    name: str
    phone_masked: str
    arriving_on: date
    nights: int
    last_night: date
    note: str
    status: str
    closed_on: date | None
    created_at: datetime

    @staticmethod
    def resolve_enterprise_name(obj: DormitoryRequest) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_phone_masked(obj: DormitoryRequest) -> str:
        return obj.masked_phone


class DormitoryRequestIn(Schema):
    """A request by `enterprise_id` for a bed for one person arriving on `arriving_on` for
    `nights` nights."""

    enterprise_id: int
    name: Name
    phone: Code
    arriving_on: date
    nights: int = Field(ge=1, le=MAX_NIGHTS)
    note: Line = ""


class MatchOut(Schema):
    room_id: int
    room_label: str
    beds: int
    free_beds: int
    offer_id: int
    address: str
    enterprise_name: str
    distance: int


class BookIn(Schema):
    """The room to book (`room_id`) and, if wanted, its bed (else the lowest free one)."""

    room_id: int
    bed: int | None = Field(None, ge=1, le=MAX_BEDS_PER_ROOM)


class StayOut(Schema):
    id: int
    request_id: int
    guest_name: str
    room_id: int
    room_label: str
    offer_id: int
    bed: int
    first_night: date
    last_night: date
    ended_on: date | None
    end: str

    @staticmethod
    def resolve_guest_name(obj: DormitoryStay) -> str:
        return obj.request.name

    @staticmethod
    def resolve_room_label(obj: DormitoryStay) -> str:
        return obj.room.label

    @staticmethod
    def resolve_offer_id(obj: DormitoryStay) -> int:
        return obj.room.offer_id


class StayEndIn(Schema):
    """`on`: the leaving day (today by default); the nights from it are freed."""

    on: date | None = None


class PhoneOut(Schema):
    phone: str


def _offer(offer: DormitoryOffer, user) -> DormitoryOffer:
    return (
        DormitoryOffer.objects.visible_to(user)
        .select_related("enterprise")
        .prefetch_related("rooms")
        .get(pk=offer.pk)
    )


def _offer_detail(offer: DormitoryOffer, user, days: int) -> DormitoryOffer:
    offer = _offer(offer, user)
    _nights, rows = selectors.occupancy_grid(offer, days=days)
    offer.occupancy = [
        {
            "id": row.room.pk,
            "label": row.room.label,
            "beds": row.room.beds,
            "nights": [
                {"night": c.night, "taken": c.taken, "free": c.free, "offered": c.offered}
                for c in row.cells
            ],
        }
        for row in rows
    ]
    return offer


@router.get("/offers", response=list[OfferOut], openapi_extra=scoped_route(DormitoryOffer))
@paginate(Pagination)
def offer_list(request: HttpRequest, status: Code = "", current: bool = False):
    """Offers of idle rooms of the caller's jurisdiction (a liaison: its own), the latest last
    night first. `status`: open or withdrawn; `current`: only offers not over yet."""
    status = status if status in OfferStatus.values else ""
    return selectors.offer_list(user=request.auth, status=status, current=current).prefetch_related(
        "rooms"
    )


@router.get(
    "/offers/{offer_id}",
    response=OfferDetailOut,
    openapi_extra=scoped_route(DormitoryOffer),
)
def offer_detail(request: HttpRequest, offer_id: int, days: int = Query(14, ge=1, le=31)):
    """One offer, its rooms and each room's beds taken per night for `days` nights from
    today (China time)."""
    offer = api_get_visible(request, DormitoryOffer, offer_id)
    return _offer_detail(offer, request.auth, days)


@router.post(
    "/offers",
    response=OfferDetailOut,
    openapi_extra=scoped_route(Enterprise, id_in_body="enterprise_id"),
)
def offer_new(request: HttpRequest, payload: OfferIn):
    """Offer idle rooms. The last night before the first, a night past, or a room listed
    twice is a 422 naming the field."""
    enterprise = api_get_visible(request, Enterprise, payload.enterprise_id)
    offer = services.offer_create(
        acting_user=request.auth,
        enterprise=enterprise,
        address=payload.address,
        available_from=payload.available_from,
        available_until=payload.available_until,
        rooms=[(room.label, room.beds) for room in payload.rooms],
        note=payload.note,
    )
    return _offer_detail(offer, request.auth, 14)


@router.post(
    "/offers/{offer_id}/rooms",
    response=DormitoryRoomOut,
    openapi_extra=scoped_route(DormitoryOffer),
)
def room_new(request: HttpRequest, offer_id: int, payload: RoomIn):
    """One more room for an offer; a label the offer has already is a 422."""
    offer = api_get_visible(request, DormitoryOffer, offer_id, "change")
    return services.room_add(
        acting_user=request.auth, offer=offer, label=payload.label, beds=payload.beds
    )


@router.get(
    "/requests",
    response=list[DormitoryRequestOut],
    openapi_extra=scoped_route(DormitoryRequest),
)
@paginate(Pagination)
def request_list(request: HttpRequest, status: Code = ""):
    """Requests for a bed of the caller's jurisdiction (a liaison: its own), soonest arrival
    first; `status`: waiting, housed, ended or withdrawn."""
    status = status if status in DormitoryRequestStatus.values else ""
    return selectors.request_list(user=request.auth, status=status)


@router.get(
    "/requests/{request_id}",
    response=DormitoryRequestOut,
    openapi_extra=scoped_route(DormitoryRequest),
)
def request_detail(request: HttpRequest, request_id: int):
    return selectors.request_list(user=request.auth).get(
        pk=api_get_visible(request, DormitoryRequest, request_id).pk
    )


@router.post(
    "/requests",
    response=DormitoryRequestOut,
    openapi_extra=scoped_route(Enterprise, id_in_body="enterprise_id"),
)
def request_new(request: HttpRequest, payload: DormitoryRequestIn):
    """Ask for a bed for one person. A phone that is no phone number, or an arriving date more
    than a week past, is a 422 naming the field."""
    enterprise = api_get_visible(request, Enterprise, payload.enterprise_id)
    created = services.dormitory_request_create(
        acting_user=request.auth,
        enterprise=enterprise,
        name=payload.name,
        phone=payload.phone,
        arriving_on=payload.arriving_on,
        nights=payload.nights,
        note=payload.note,
    )
    return selectors.request_list(user=request.auth).get(pk=created.pk)


@router.post(
    "/requests/{request_id}/withdraw",
    response=DormitoryRequestOut,
    openapi_extra=scoped_route(DormitoryRequest),
)
def request_withdraw(request: HttpRequest, request_id: int):
    """Withdraw a request waiting for a room; any other is a 422."""
    found = api_get_visible(request, DormitoryRequest, request_id, "change")
    services.dormitory_request_withdraw(acting_user=request.auth, request=found)
    return selectors.request_list(user=request.auth).get(pk=found.pk)


@router.get(
    "/requests/{request_id}/matches",
    response=list[MatchOut],
    openapi_extra=scoped_route(DormitoryRequest),
)
def request_matches(request: HttpRequest, request_id: int):
    """Rooms with a bed free on every night of the request's stay, nearest unit first
    (`distance`: steps between the two enterprises' units in the jurisdiction tree)."""
    found = api_get_visible(request, DormitoryRequest, request_id)
    if not found.is_waiting:
        return []
    return [
        {
            "room_id": m.room.pk,
            "room_label": m.room.label,
            "beds": m.room.beds,
            "free_beds": m.free,
            "offer_id": m.offer.pk,
            "address": m.offer.address,
            "enterprise_name": m.offer.enterprise.name,
            "distance": m.distance,
        }
        for m in selectors.request_matches(user=request.auth, request=found)
    ]


@router.post(
    "/requests/{request_id}/book",
    response=StayOut,
    openapi_extra=scoped_route(DormitoryRequest),
)
def request_book(request: HttpRequest, request_id: int, payload: BookIn):
    """Book a bed for the whole stay. A room the caller cannot see is a 404; nights beyond
    the offer's dates, or a bed already booked on a night (refused by the database), a 422
    naming the room and the night."""
    found = api_get_visible(request, DormitoryRequest, request_id, "change")
    room = api_get_visible(request, DormitoryRoom, payload.room_id)
    stay = services.stay_book(acting_user=request.auth, request=found, room=room, bed=payload.bed)
    return DormitoryStay.objects.select_related("request", "room").get(pk=stay.pk)


@router.post(
    "/requests/{request_id}/reveal",
    response=PhoneOut,
    openapi_extra=scoped_route(DormitoryRequest),
)
def request_reveal(request: HttpRequest, request_id: int, payload: RevealIn):
    """The unmasked phone of the person; needs a purpose and is logged."""
    found = api_get_visible(request, DormitoryRequest, request_id)
    return personal_data_reveal(
        acting_user=request.auth,
        instance=found,
        fields=("phone",),
        purpose=payload.purpose,
        reason=payload.reason,
        ip_address=request.META.get("REMOTE_ADDR"),
    )


@router.get("/stays", response=list[StayOut], openapi_extra=scoped_route(DormitoryStay))
@paginate(Pagination)
def stay_list(request: HttpRequest, starts: Code = "", current: bool = False):
    """Stays in the rooms the caller may see; `starts=today`: those starting today;
    `current`: those not ended whose last night is not past."""
    starts = starts if starts == selectors.MOVING_IN_TODAY else ""
    return selectors.stay_list(user=request.auth, starts=starts, current=current)


@router.post(
    "/stays/{stay_id}/end",
    response=StayOut,
    openapi_extra=scoped_route(DormitoryStay),
)
def stay_end(request: HttpRequest, stay_id: int, payload: StayEndIn):
    """End a stay on `on` (today by default): the nights from that day are freed; on or
    before the first night the booking is cancelled and the request waits again."""
    stay = api_get_visible(request, DormitoryStay, stay_id, "change")
    services.stay_end(acting_user=request.auth, stay=stay, on=payload.on)
    return DormitoryStay.objects.select_related("request", "room").get(pk=stay.pk)
