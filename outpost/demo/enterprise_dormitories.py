"""The demo's idle dormitory rooms (闲置宿舍协调): some enterprises offer rooms, others ask
beds for staff returning from elsewhere, and 14 days of stays fill them (some over, some
going on, some starting today, a few requests still waiting). Deterministic and written
with ``bulk_create``; called where the demo builds its enterprises:

    build_dormitories(enterprises=..., today=..., officer=...)
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from outpost.enterprises.choices_dormitories import DormitoryRequestStatus, StayEnd
from outpost.enterprises.models import (
    DormitoryNight,
    DormitoryOffer,
    DormitoryRequest,
    DormitoryRoom,
    DormitoryStay,
)

HISTORY_DAYS = 14
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"


def build_dormitories(
    *, enterprises: Sequence, today: datetime.date, officer=None, seed: int = 2020
) -> dict[str, int]:
    """Offers by every eighth enterprise (at least two), requests by the others, stays over
    the last 14 days and the next ones. Returns the counts written."""
    enterprises = list(enterprises)
    if len(enterprises) < 3:
        return {"offers": 0, "requests": 0, "stays": 0, "nights": 0}
    rng = random.Random(seed)
    hosts = enterprises[::8] if len(enterprises) >= 16 else enterprises[:2]
    guests = [e for e in enterprises if e not in hosts]
    start = today - datetime.timedelta(days=HISTORY_DAYS)
    offers = DormitoryOffer.objects.bulk_create(
        DormitoryOffer(
            enterprise=host,
            address=f"{host.name}职工宿舍{n % 3 + 1}号楼",
            available_from=start,
            available_until=today + datetime.timedelta(days=30 + rng.randrange(30)),
            created_by=officer,
        )
        for n, host in enumerate(hosts)
    )
    rooms = DormitoryRoom.objects.bulk_create(
        DormitoryRoom(offer=offer, label=f"{floor}{number:02d}", beds=rng.choice((2, 2, 4, 6)))
        for offer in offers
        for floor in (1, 2)
        for number in range(1, rng.randrange(2, 5))
    )
    taken: set[tuple[int, int, datetime.date]] = set()
    requests, bookings = [], []
    for n in range(max(len(rooms) * 2, 12)):
        arriving = start + datetime.timedelta(days=rng.randrange(HISTORY_DAYS + 3))
        nights = rng.choice((3, 5, 7, 10, 14))
        request = DormitoryRequest(
            enterprise=guests[n % len(guests)],
            name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            phone=f"139{rng.randrange(10**8):08d}",
            arriving_on=arriving,
            nights=nights,
            created_by=officer,
        )
        requests.append(request)
        last = arriving + datetime.timedelta(days=nights - 1)
        days = [arriving + datetime.timedelta(days=d) for d in range(nights)]
        place = next(
            (
                (room, bed)
                for room in rng.sample(rooms, len(rooms))
                if room.offer.available_until >= last
                for bed in range(1, room.beds + 1)
                if all((room.pk, bed, day) not in taken for day in days)
            ),
            None,
        )
        if place is None or n % 9 == 0:  # a few wait for a room
            continue
        room, bed = place
        taken.update((room.pk, bed, day) for day in days)
        bookings.append((request, room, bed, days))
    DormitoryRequest.objects.bulk_create(requests)
    stays, nights_rows = [], []
    for request, room, bed, days in bookings:
        over = days[-1] < today
        stays.append(
            DormitoryStay(
                request=request,
                room=room,
                bed=bed,
                first_night=days[0],
                last_night=days[-1],
                ended_on=days[-1] + datetime.timedelta(days=1) if over else None,
                end=StayEnd.CHECKED_OUT if over else "",
                booked_by=officer,
            )
        )
    DormitoryStay.objects.bulk_create(stays)
    for stay, (request, room, bed, days) in zip(stays, bookings, strict=True):
        nights_rows += [DormitoryNight(room=room, bed=bed, night=day, stay=stay) for day in days]
        request.status = (
            DormitoryRequestStatus.ENDED if stay.ended_on else DormitoryRequestStatus.HOUSED
        )
        request.closed_on = stay.ended_on
    DormitoryNight.objects.bulk_create(nights_rows, batch_size=2000)
    DormitoryRequest.objects.bulk_update([b[0] for b in bookings], ["status", "closed_on"])
    return {
        "offers": len(offers),
        "requests": len(requests),
        "stays": len(stays),
        "nights": len(nights_rows),
    }
