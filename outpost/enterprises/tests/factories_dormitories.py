"""Factories of the dormitory coordination, and its entries for the route walks (added to
``factories.py``'s `SCOPED_FACTORIES`, `ROUTE_FACTORIES` and `WRITE_PAYLOADS` by
`extend_walk`)."""

import datetime

import factory
from django.utils import timezone

from outpost.enterprises.choices_dormitories import DormitoryRequestStatus
from outpost.enterprises.models import (
    DormitoryNight,
    DormitoryOffer,
    DormitoryRequest,
    DormitoryRoom,
    DormitoryStay,
    Enterprise,
)
from outpost.enterprises.tests.factories import EnterpriseFactory


def _today():
    return timezone.localdate()


class DormitoryOfferFactory(factory.django.DjangoModelFactory):
    """An open offer from today for 30 nights (pass ``enterprise=``); rooms with
    `offer_with_rooms`."""

    class Meta:
        model = DormitoryOffer

    address = factory.Sequence(lambda n: f"宿舍楼{n}号")
    available_from = factory.LazyFunction(_today)
    available_until = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=29))


class DormitoryRoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DormitoryRoom

    label = factory.Sequence(lambda n: f"{100 + n}")
    beds = 2


class DormitoryRequestFactory(factory.django.DjangoModelFactory):
    """A waiting request for one person arriving today for 3 nights (pass ``enterprise=``)."""

    class Meta:
        model = DormitoryRequest

    name = factory.Sequence(lambda n: f"返岗员工{n}")
    phone = factory.Sequence(lambda n: f"1381234{n % 10000:04d}")
    arriving_on = factory.LazyFunction(_today)
    nights = 3


def offer_with_rooms(enterprise: Enterprise, beds=(2, 2), **values) -> DormitoryOffer:
    offer = DormitoryOfferFactory(enterprise=enterprise, **values)
    for number, count in enumerate(beds, start=1):
        DormitoryRoomFactory(offer=offer, label=f"{number}0{number}", beds=count)
    return offer


def stay_in(room: DormitoryRoom, request: DormitoryRequest, bed: int = 1) -> DormitoryStay:
    """A booked stay of `request` in `room` (its nights written as the service writes them)."""
    stay = DormitoryStay.objects.create(
        request=request,
        room=room,
        bed=bed,
        first_night=request.arriving_on,
        last_night=request.last_night,
    )
    DormitoryNight.objects.bulk_create(
        DormitoryNight(
            room=room, bed=bed, night=request.arriving_on + datetime.timedelta(days=n), stay=stay
        )
        for n in range(request.nights)
    )
    DormitoryRequest.objects.filter(pk=request.pk).update(status=DormitoryRequestStatus.HOUSED)
    return stay


def offer_in(grid) -> DormitoryOffer:
    return offer_with_rooms(EnterpriseFactory(unit=grid))


def request_in(grid) -> DormitoryRequest:
    return DormitoryRequestFactory(enterprise=EnterpriseFactory(unit=grid))


def stay_in_grid(grid) -> DormitoryStay:
    offer = offer_in(grid)
    return stay_in(offer.rooms.first(), request_in(grid))


def request_with_offer_in(grid) -> DormitoryRequest:
    """A waiting request and, in the same grid, an offer with a room that fits it."""
    offer_in(grid)
    return request_in(grid)


def _room_near(request: DormitoryRequest) -> dict:
    room = (
        DormitoryRoom.objects.filter(offer__enterprise__unit=request.enterprise.unit)
        .order_by("pk")
        .first()
    )
    return {"room_id": room.pk if room else 0}


def _offer_body(enterprise) -> dict:
    today = _today()
    return {
        "address": "新开宿舍",
        "available_from": today,
        "available_until": today + datetime.timedelta(days=20),
        "rooms": [{"label": "301", "beds": 3}],
    }


def _request_body(enterprise) -> dict:
    return {"name": "返岗员工", "phone": "13912345678", "arriving_on": _today(), "nights": 2}


PREFIX = "/api/v1/enterprises/dormitories"

SCOPED_FACTORIES = {
    DormitoryOffer: offer_in,
    DormitoryRequest: request_in,
    DormitoryStay: stay_in_grid,
}
ROUTE_FACTORIES = {
    "dormitories:request_match": request_with_offer_in,
    f"POST {PREFIX}/requests/{{request_id}}/book": request_with_offer_in,
}
WRITE_PAYLOADS = {
    f"POST {PREFIX}/offers": _offer_body,
    f"POST {PREFIX}/offers/{{offer_id}}/rooms": lambda offer: {"label": "901", "beds": 2},
    f"POST {PREFIX}/requests": _request_body,
    f"POST {PREFIX}/requests/{{request_id}}/withdraw": lambda request: {},
    f"POST {PREFIX}/requests/{{request_id}}/book": _room_near,
    f"POST {PREFIX}/requests/{{request_id}}/reveal": lambda request: {"purpose": "verify_identity"},
    f"POST {PREFIX}/stays/{{stay_id}}/end": lambda stay: {},
}


def extend_walk(namespace: dict) -> None:
    """Add the dormitories' entries to the walk's dictionaries of ``factories.py``."""
    for name, entries in (
        ("SCOPED_FACTORIES", SCOPED_FACTORIES),
        ("ROUTE_FACTORIES", ROUTE_FACTORIES),
        ("WRITE_PAYLOADS", WRITE_PAYLOADS),
    ):
        namespace.setdefault(name, {}).update(entries)
