"""Writes of the dormitory coordination (闲置宿舍协调): one function per use case,
transactional, validating, audited (simple-history rows naming the acting user), each
re-checking after the write that the record is still within the user's scope.

The double booking of a bed is refused by the database (`DormitoryNight`'s unique
constraint); `stay_book` turns that refusal into a message naming the room, the bed and
the night."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.scoping import assert_in_scope
from outpost.core.validators import validate_phone, validate_text
from outpost.enterprises.choices_dormitories import (
    DormitoryRequestStatus,
    OfferStatus,
    StayEnd,
)
from outpost.enterprises.models import (
    DormitoryNight,
    DormitoryOffer,
    DormitoryRequest,
    DormitoryRoom,
    DormitoryStay,
    Enterprise,
)
from outpost.enterprises.models.dormitories import MAX_BEDS_PER_ROOM, MAX_NIGHTS
from outpost.enterprises.scoping import enterprises_for

# How far ahead an offer or an arrival may be planned, and how long an offer may run.
PLANNING_DAYS = 366
# A request may be filed for staff who arrived a few days ago and still have no bed.
ARRIVED_DAYS_AGO = 7


def _day(value: datetime.date) -> str:
    return value.strftime("%Y-%m-%d")


def _check_enterprise(acting_user, enterprise: Enterprise, permission: str) -> None:
    if not acting_user.has_perm(permission):
        raise PermissionDenied(_("Your role may not do this."))
    if not enterprises_for(acting_user).filter(pk=enterprise.pk).exists():
        raise PermissionDenied("enterprise out of scope")


def _clean_rooms(rooms) -> list[tuple[str, int]]:
    """(label, beds) of each room: labels given and distinct, 1 to 50 beds."""
    cleaned, seen, errors = [], set(), []
    for number, (label, beds) in enumerate(rooms, start=1):
        label = (label or "").strip()
        if not label:
            errors.append(_("Room %(n)d: the room label is empty.") % {"n": number})
            continue
        try:
            validate_text(label)
        except ValidationError as exc:
            errors.append(
                _("Room %(n)d: %(error)s") % {"n": number, "error": " ".join(exc.messages)}
            )
            continue
        if len(label) > 40:
            errors.append(
                _("Room %(n)d: the room label is longer than 40 characters.") % {"n": number}
            )
            continue
        if label in seen:
            errors.append(_("Room %(label)s is listed twice.") % {"label": label})
            continue
        if not isinstance(beds, int) or not 1 <= beds <= MAX_BEDS_PER_ROOM:
            errors.append(
                _("Room %(label)s: the number of beds must be between 1 and %(max)d.")
                % {"label": label, "max": MAX_BEDS_PER_ROOM}
            )
            continue
        seen.add(label)
        cleaned.append((label, beds))
    if errors:
        raise ValidationError({"rooms": errors})
    if not cleaned:
        raise ValidationError({"rooms": _("List at least one room with its beds.")})
    return cleaned


def _check_offer_dates(available_from, available_until, *, today) -> None:
    if available_from is None:
        raise ValidationError({"available_from": _("Give the first night the rooms are free.")})
    if available_until is None:
        raise ValidationError({"available_until": _("Give the last night the rooms are free.")})
    if available_until < available_from:
        raise ValidationError(
            {
                "available_until": _(
                    "The last night (%(until)s) is before the first night (%(from)s)."
                )
                % {"until": _day(available_until), "from": _day(available_from)}
            }
        )
    if available_until < today:
        raise ValidationError({"available_until": _("The last night is already past.")})
    horizon = today + datetime.timedelta(days=PLANNING_DAYS)
    if available_from > horizon or available_until > horizon:
        raise ValidationError({"available_until": _("Offer rooms for at most a year ahead.")})


@transaction.atomic
def offer_create(
    *,
    acting_user,
    enterprise: Enterprise,
    address: str,
    available_from: datetime.date,
    available_until: datetime.date,
    rooms,
    note: str = "",
) -> DormitoryOffer:
    """An enterprise offers idle rooms (`rooms`: (label, beds) pairs) from the first to the
    last night."""
    _check_enterprise(acting_user, enterprise, "enterprises.add_dormitoryoffer")
    address = (address or "").strip()
    if not address:
        raise ValidationError({"address": _("Give the dormitory's address.")})
    _check_offer_dates(available_from, available_until, today=timezone.localdate())
    cleaned = _clean_rooms(rooms)
    offer = DormitoryOffer(
        enterprise=enterprise,
        address=address,
        available_from=available_from,
        available_until=available_until,
        note=(note or "").strip(),
        created_by=acting_user,
    )
    offer.full_clean()
    save_audited(offer, acting_user=acting_user)
    for label, beds in cleaned:
        save_audited(DormitoryRoom(offer=offer, label=label, beds=beds), acting_user=acting_user)
    assert_in_scope(offer, acting_user, "view")
    return offer


@transaction.atomic
def room_add(*, acting_user, offer: DormitoryOffer, label: str, beds: int) -> DormitoryRoom:
    """One more room for an offer."""
    _check_enterprise(acting_user, offer.enterprise, "enterprises.add_dormitoryroom")
    if offer.status != OfferStatus.OPEN:
        raise ValidationError(_("This offer is withdrawn: no rooms are added to it."))
    ((label, beds),) = _clean_rooms([(label, beds)])
    if offer.rooms.filter(label=label).exists():
        raise ValidationError(
            {"label": _("The offer has a room %(label)s already.") % {"label": label}}
        )
    room = DormitoryRoom(offer=offer, label=label, beds=beds)
    save_audited(room, acting_user=acting_user)
    assert_in_scope(room, acting_user, "view")
    return room


@transaction.atomic
def offer_withdraw(*, acting_user, offer: DormitoryOffer) -> DormitoryOffer:
    """Withdraw an offer: its rooms are no longer matched. Refused while a stay that has not
    ended holds one of its beds from today on."""
    _check_enterprise(acting_user, offer.enterprise, "enterprises.change_dormitoryoffer")
    offer = DormitoryOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != OfferStatus.OPEN:
        raise ValidationError(_("This offer is already withdrawn."))
    today = timezone.localdate()
    if DormitoryNight.objects.filter(room__offer=offer, night__gte=today).exists():
        raise ValidationError(
            _("Guests are booked in this offer's rooms: end their stays before withdrawing it.")
        )
    offer.status = OfferStatus.WITHDRAWN
    save_audited(offer, acting_user=acting_user, update_fields=["status"])
    return offer


def _check_arrival(arriving_on, nights, *, today) -> None:
    if arriving_on is None:
        raise ValidationError({"arriving_on": _("Give the arriving date.")})
    if nights is None or not isinstance(nights, int) or not 1 <= nights <= MAX_NIGHTS:
        raise ValidationError(
            {
                "nights": _("The number of nights must be between 1 and %(max)d.")
                % {"max": MAX_NIGHTS}
            }
        )
    if arriving_on < today - datetime.timedelta(days=ARRIVED_DAYS_AGO):
        raise ValidationError(
            {
                "arriving_on": _("The arriving date is more than %(days)d days ago.")
                % {"days": ARRIVED_DAYS_AGO}
            }
        )
    if arriving_on > today + datetime.timedelta(days=PLANNING_DAYS):
        raise ValidationError({"arriving_on": _("The arriving date is more than a year ahead.")})


@transaction.atomic
def dormitory_request_create(
    *,
    acting_user,
    enterprise: Enterprise,
    name: str,
    phone: str,
    arriving_on: datetime.date,
    nights: int,
    note: str = "",
) -> DormitoryRequest:
    """An enterprise asks for a bed for one member of staff returning from elsewhere who
    needs no isolation."""
    _check_enterprise(acting_user, enterprise, "enterprises.add_dormitoryrequest")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the name of the person who needs a bed.")})
    try:
        phone = validate_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    _check_arrival(arriving_on, nights, today=timezone.localdate())
    request = DormitoryRequest(
        enterprise=enterprise,
        name=name,
        phone=phone,
        arriving_on=arriving_on,
        nights=nights,
        note=(note or "").strip(),
        created_by=acting_user,
    )
    request.full_clean()
    save_audited(request, acting_user=acting_user)
    assert_in_scope(request, acting_user, "view")
    return request


@transaction.atomic
def dormitory_request_withdraw(*, acting_user, request: DormitoryRequest) -> DormitoryRequest:
    """The enterprise (or the station) no longer needs the bed: a waiting request closes."""
    if (
        not DormitoryRequest.objects.visible_to(acting_user, "change")
        .filter(pk=request.pk)
        .exists()
    ):
        raise PermissionDenied("request out of scope")
    request = DormitoryRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DormitoryRequestStatus.WAITING:
        raise ValidationError(
            _("Only a request waiting for a room is withdrawn; end the stay of a booked one.")
        )
    request.status = DormitoryRequestStatus.WITHDRAWN
    request.closed_on = timezone.localdate()
    save_audited(request, acting_user=acting_user, update_fields=["status", "closed_on"])
    return request


def free_bed(room: DormitoryRoom, first: datetime.date, last: datetime.date) -> int | None:
    """The lowest bed of `room` free on every night from `first` to `last`, or None."""
    taken = set(
        DormitoryNight.objects.filter(room=room, night__range=(first, last)).values_list(
            "bed", flat=True
        )
    )
    return next((bed for bed in range(1, room.beds + 1) if bed not in taken), None)


def _first_taken_night(room, bed, first, last) -> datetime.date | None:
    return (
        DormitoryNight.objects.filter(room=room, bed=bed, night__range=(first, last))
        .order_by("night")
        .values_list("night", flat=True)
        .first()
    )


def _full_night(room, first, last) -> datetime.date:
    """The first night of the stay on which every bed of `room` is taken."""
    night = first
    while night <= last:
        if DormitoryNight.objects.filter(room=room, night=night).count() >= room.beds:
            return night
        night += datetime.timedelta(days=1)
    return first


@transaction.atomic
def stay_book(
    *, acting_user, request: DormitoryRequest, room: DormitoryRoom, bed: int | None = None
) -> DormitoryStay:
    """Book a bed of `room` for the whole stay of a waiting request (the lowest bed free
    every night when `bed` is not given): one `DormitoryNight` per night. A night outside
    the offer's dates, or a bed already taken on a night (refused by the database), is a
    ValidationError naming the room and the night."""
    if not acting_user.has_perm("enterprises.add_dormitorystay"):
        raise PermissionDenied(_("Your role may not book dormitory rooms."))
    if (
        not DormitoryRequest.objects.visible_to(acting_user, "change")
        .filter(pk=request.pk)
        .exists()
    ):
        raise PermissionDenied("request out of scope")
    if not DormitoryRoom.objects.visible_to(acting_user).filter(pk=room.pk).exists():
        raise PermissionDenied("room out of scope")
    request = DormitoryRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DormitoryRequestStatus.WAITING:
        raise ValidationError(_("This request is not waiting for a room."))
    offer = room.offer
    first, last = request.arriving_on, request.last_night
    if offer.status != OfferStatus.OPEN:
        raise ValidationError(
            {"room": _("The offer of room %(room)s is withdrawn.") % {"room": room.label}}
        )
    if not offer.covers(first, last):
        raise ValidationError(
            {
                "room": _(
                    "The stay (nights %(first)s to %(last)s) goes beyond the offer of room "
                    "%(room)s, which is free from %(from)s to %(until)s."
                )
                % {
                    "first": _day(first),
                    "last": _day(last),
                    "room": room.label,
                    "from": _day(offer.available_from),
                    "until": _day(offer.available_until),
                }
            }
        )
    if bed is None:
        bed = free_bed(room, first, last)
        if bed is None:
            raise ValidationError(
                {
                    "room": _("Room %(room)s has no bed free on the night of %(night)s.")
                    % {"room": room.label, "night": _day(_full_night(room, first, last))}
                }
            )
    elif not 1 <= bed <= room.beds:
        raise ValidationError(
            {
                "bed": _("Room %(room)s has beds 1 to %(beds)d.")
                % {"room": room.label, "beds": room.beds}
            }
        )
    stay = DormitoryStay(
        request=request,
        room=room,
        bed=bed,
        first_night=first,
        last_night=last,
        booked_by=acting_user,
    )
    save_audited(stay, acting_user=acting_user)
    nights = [
        DormitoryNight(room=room, bed=bed, night=first + datetime.timedelta(days=n), stay=stay)
        for n in range(request.nights)
    ]
    try:
        with transaction.atomic():  # a savepoint: the refusal leaves the transaction usable
            DormitoryNight.objects.bulk_create(nights)
    except IntegrityError:
        # Nothing of this booking stays: the stay row goes back with this transaction.
        night = _first_taken_night(room, bed, first, last) or first
        raise ValidationError(
            {
                "room": _(
                    "Room %(room)s, bed %(bed)d is already booked for the night of %(night)s."
                )
                % {"room": room.label, "bed": bed, "night": _day(night)}
            }
        ) from None
    request.status = DormitoryRequestStatus.HOUSED
    save_audited(request, acting_user=acting_user, update_fields=["status"])
    assert_in_scope(stay, acting_user, "view")
    return stay


@transaction.atomic
def stay_end(*, acting_user, stay: DormitoryStay, on: datetime.date | None = None) -> DormitoryStay:
    """The guest leaves on `on` (today by default): the nights from `on` are freed. Ended on
    or before the first night, the booking is cancelled and the request waits for a room
    again; later, the request ends with the stay."""
    if not DormitoryStay.objects.visible_to(acting_user, "change").filter(pk=stay.pk).exists():
        raise PermissionDenied("stay out of scope")
    stay = DormitoryStay.objects.select_for_update().select_related("request").get(pk=stay.pk)
    if stay.ended_on is not None:
        raise ValidationError(_("This stay has ended already."))
    today = timezone.localdate()
    on = on or today
    if on > stay.leaving_on:
        raise ValidationError(
            {
                "on": _("The stay ends on %(leaving)s at the latest (after its last night).")
                % {"leaving": _day(stay.leaving_on)}
            }
        )
    if on < today - datetime.timedelta(days=ARRIVED_DAYS_AGO):
        raise ValidationError(
            {
                "on": _("The leaving date is more than %(days)d days ago.")
                % {"days": ARRIVED_DAYS_AGO}
            }
        )
    DormitoryNight.objects.filter(stay=stay, night__gte=on).delete()
    cancelled = on <= stay.first_night
    stay.ended_on = on
    stay.end = StayEnd.CANCELLED if cancelled else StayEnd.CHECKED_OUT
    save_audited(stay, acting_user=acting_user, update_fields=["ended_on", "end"])
    request = stay.request
    if cancelled:
        request.status = DormitoryRequestStatus.WAITING
        request.closed_on = None
    else:
        request.status = DormitoryRequestStatus.ENDED
        request.closed_on = on
    save_audited(request, acting_user=acting_user, update_fields=["status", "closed_on"])
    return stay
