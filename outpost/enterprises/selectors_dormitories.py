"""Reads of the dormitory coordination, always scoped (`visible_to`): offers and their
occupancy grid, requests, stays, and the rooms that fit a request (nearest unit first)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from outpost.enterprises.choices_dormitories import DormitoryRequestStatus, OfferStatus
from outpost.enterprises.models import (
    DormitoryNight,
    DormitoryOffer,
    DormitoryRequest,
    DormitoryRoom,
    DormitoryStay,
)

GRID_DAYS = 14
# Filters of the request list that the home page's lines open.
MOVING_IN_TODAY = "today"


def offer_list(*, user, status: str = "", current: bool = False) -> QuerySet:
    """Offers the user may see, with their rooms' and beds' counts."""
    offers = (
        DormitoryOffer.objects.visible_to(user)
        .select_related("enterprise__unit")
        .annotate(room_count=Count("rooms"), bed_count=Sum("rooms__beds"))
        .order_by("-available_until", "pk")
    )
    if status:
        offers = offers.filter(status=status)
    if current:
        offers = offers.filter(available_until__gte=timezone.localdate())
    return offers


def request_list(*, user, status: str = "", moving_in: str = "") -> QuerySet:
    """Requests the user may see, soonest arrival first; `moving_in=today`: those whose
    booked stay starts today."""
    requests = DormitoryRequest.objects.visible_to(user).select_related("enterprise__unit")
    if status:
        requests = requests.filter(status=status)
    if moving_in == MOVING_IN_TODAY:
        requests = requests.filter(
            stays__first_night=timezone.localdate(), stays__ended_on__isnull=True
        )
    return requests.order_by("arriving_on", "pk")


def waiting_requests(*, user) -> QuerySet:
    return request_list(user=user, status=DormitoryRequestStatus.WAITING)


def stay_list(*, user, starts: str = "", current: bool = False) -> QuerySet:
    """Stays in the rooms the user may see; `starts=today`: those whose first night is
    today; `current`: those not ended whose last night is not past."""
    stays = DormitoryStay.objects.visible_to(user).select_related(
        "room__offer__enterprise", "request__enterprise"
    )
    today = timezone.localdate()
    if starts == MOVING_IN_TODAY:
        stays = stays.filter(first_night=today, ended_on__isnull=True)
    if current:
        stays = stays.filter(ended_on__isnull=True, last_night__gte=today)
    return stays.order_by("first_night", "pk")


def stays_starting_today(*, user) -> QuerySet:
    return stay_list(user=user, starts=MOVING_IN_TODAY)


@dataclass(frozen=True)
class GridCell:
    night: datetime.date
    taken: int
    beds: int
    offered: bool  # within the offer's dates

    @property
    def free(self) -> int:
        return max(self.beds - self.taken, 0) if self.offered else 0

    @property
    def state(self) -> str:
        if not self.offered:
            return "closed"
        if self.taken >= self.beds:
            return "full"
        return "partly" if self.taken else "free"


@dataclass(frozen=True)
class GridRow:
    room: DormitoryRoom
    cells: list[GridCell]


def occupancy_grid(
    offer: DormitoryOffer, *, start: datetime.date | None = None, days: int = GRID_DAYS
) -> tuple[list[datetime.date], list[GridRow]]:
    """Rooms × nights from `start` (today, China time): beds taken of the room's beds, each
    night; one query for the nights."""
    start = start or timezone.localdate()
    nights = [start + datetime.timedelta(days=n) for n in range(days)]
    rooms = list(offer.rooms.order_by("label", "pk"))
    taken = {
        (row["room"], row["night"]): row["taken"]
        for row in DormitoryNight.objects.filter(
            room__offer=offer, night__range=(nights[0], nights[-1])
        )
        .values("room", "night")
        .annotate(taken=Count("pk"))
        .order_by()
    }
    rows = [
        GridRow(
            room,
            [
                GridCell(
                    night,
                    taken.get((room.pk, night), 0),
                    room.beds,
                    offer.available_from <= night <= offer.available_until,
                )
                for night in nights
            ],
        )
        for room in rooms
    ]
    return nights, rows


@dataclass(frozen=True)
class Match:
    """A room that fits a request: `free` beds free on every night of the stay; `distance`
    how far the offering enterprise's unit is from the asking one's (0: the same unit)."""

    room: DormitoryRoom
    free: int
    distance: int

    @property
    def offer(self) -> DormitoryOffer:
        return self.room.offer


def _distance(path_a: str, path_b: str) -> int:
    a = [code for code in path_a.split("/") if code]
    b = [code for code in path_b.split("/") if code]
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return (len(a) - common) + (len(b) - common)


def request_matches(*, user, request: DormitoryRequest) -> list[Match]:
    """Rooms of open offers the user may see that have a bed free on every night of the
    request's stay, the nearest units first (same grid, then community, then office…),
    then the most free beds."""
    first, last = request.arriving_on, request.last_night
    rooms = list(
        DormitoryRoom.objects.visible_to(user)
        .filter(
            offer__status=OfferStatus.OPEN,
            offer__available_from__lte=first,
            offer__available_until__gte=last,
        )
        .select_related("offer__enterprise__unit")
        .annotate(
            taken_beds=Count(
                "nights__bed",
                filter=Q(nights__night__range=(first, last)),
                distinct=True,
            )
        )
    )
    origin = request.enterprise.unit.path
    matches = [
        Match(room, room.beds - room.taken_beds, _distance(origin, room.offer.enterprise.unit.path))
        for room in rooms
        if room.beds > room.taken_beds
    ]
    matches.sort(
        key=lambda m: (m.distance, -m.free, m.offer.enterprise.name, m.offer.pk, m.room.label)
    )
    return matches
