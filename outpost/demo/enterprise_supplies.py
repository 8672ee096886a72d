"""The demo's week of requests and donated supplies (诉求与捐赠物资台账): deterministic,
written with bulk_create, consistent with the stock (each store's stock is the sum of its
ledger lines and never went below zero on the way).

`build_enterprise_supplies` takes the enterprises the foundation's demo made (the
liaison's first), the unit whose store receives and gives out, and the officer who does it.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from outpost.enterprises.supplies.choices import (
    Direction,
    DonorKind,
    RequestKind,
    RequestOutcome,
    RequestStatus,
    StepKind,
)
from outpost.enterprises.supplies.models import (
    Distribution,
    Donation,
    Donor,
    EnterpriseRequest,
    LedgerLine,
    RequestLine,
    RequestStep,
    Stock,
    SupplyItem,
)
from outpost.enterprises.supplies.services import request_due

PERSON_DONORS = [("刘建国", "13904112001"), ("陈淑华", "13998652002"), ("周海燕", "15840913003")]
# What a donation brings: item code -> (least, most), in round numbers.
DONATION_SIZES = {
    "masks": (2000, 10000),
    "protective_suits": (50, 300),
    "forehead_thermometers": (10, 60),
    "disinfectant": (50, 400),
}
SIGNERS = ["王经理", "李主任", "张会计", "赵厂长", "孙部长"]
OTHER_REQUESTS = [
    (RequestKind.GREEN_CHANNEL, "原料运输车辆通行证"),
    (RequestKind.STAFF_RETURN, "外地员工返岗核查"),
    (RequestKind.DORMITORY, "返岗员工宿舍10间"),
    (RequestKind.OTHER, "复工复产政策咨询"),
]


@dataclass
class SuppliesSummary:
    requests: int
    donations: int
    distributions: int
    ledger_lines: int


def _round(rng: random.Random, low: int, high: int) -> int:
    step = 100 if high >= 1000 else 10
    return rng.randrange(low // step, high // step + 1) * step


@transaction.atomic
def build_enterprise_supplies(
    *,
    enterprises,
    store,
    officer,
    today: datetime.date | None = None,
    seed: int = 2020,
    days: int = 7,
) -> SuppliesSummary:
    rng = random.Random(seed)
    enterprises = list(enterprises)
    if not enterprises:
        return SuppliesSummary(0, 0, 0, 0)
    items = {item.code: item for item in SupplyItem.objects.all()}
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=days - 1)
    now = timezone.now()

    def moment(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        aware = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
        return min(aware, now - datetime.timedelta(minutes=1))

    donors = Donor.objects.bulk_create(
        [
            Donor(unit=store, kind=DonorKind.PERSON, name=name, phone=phone, created_by=officer)
            for name, phone in PERSON_DONORS
        ]
        + [
            Donor(
                unit=store,
                kind=DonorKind.ENTERPRISE,
                enterprise=enterprise,
                name=enterprise.name,
                created_by=officer,
            )
            for enterprise in enterprises[-2:]
        ]
    )

    requests, asked = _requests(rng, enterprises, items, officer, start, days, moment)
    donations, distributions, ledger, steps, delivered, on_hand = _movements(
        rng, requests, asked, items, donors, store, officer, start, days, moment
    )
    Donation.objects.bulk_create(donations)
    Distribution.objects.bulk_create(distributions)
    LedgerLine.objects.bulk_create(
        [
            LedgerLine(
                unit=store,
                item=items[code],
                direction=direction,
                quantity=quantity,
                balance=balance,
                donation=donation,
                distribution=distribution,
                at=(donation.received_at if donation else distribution.distributed_at),
                by=officer,
            )
            for donation, distribution, code, direction, quantity, balance in ledger
        ]
    )
    Stock.objects.bulk_create(
        [
            Stock(unit=store, item=items[code], quantity=quantity)
            for code, quantity in on_hand.items()
        ]
    )
    last = {}
    for donation in donations:
        last[donation.donor_id] = max(
            last.get(donation.donor_id, donation.received_at), donation.received_at
        )
    for donor in donors:
        donor.last_donation_at = last.get(donor.pk)
    Donor.objects.bulk_update(donors, ["last_donation_at"])

    _settle(rng, requests, asked, delivered, officer, now, steps)
    RequestStep.objects.bulk_create(
        [
            RequestStep(request=request, kind=kind, note=note, by=officer, at=at)
            for request, kind, note, at in sorted(steps, key=lambda step: (step[3], step[0].pk))
        ]
    )
    return SuppliesSummary(
        requests=len(requests),
        donations=len(donations),
        distributions=len(distributions),
        ledger_lines=len(ledger),
    )


def _settle(rng, requests, asked, delivered, officer, now, steps):
    # Where each request stands: the fully delivered answered (most confirmed), the older
    # ones in hand, today's waiting; a few left overdue.
    for request in requests:
        steps.append((request, StepKind.FILED, "", request.filed_at))
        wanted = asked[id(request)]
        complete = wanted and all(delivered[id(request)][c] >= w for c, w in wanted.items())
        age = now - request.filed_at
        if complete or (not wanted and age > datetime.timedelta(days=3)):
            request.status = RequestStatus.CLOSED
            request.outcome = RequestOutcome.RESOLVED
            request.assigned_to, request.assigned_at = officer, request.filed_at
            request.closed_at = min(request.filed_at + datetime.timedelta(days=1), now)
            request.closed_by = officer
            steps.append(
                (
                    request,
                    StepKind.CLOSED,
                    "已解决：物资已送达企业" if wanted else "已解决",
                    request.closed_at,
                )
            )
            if rng.random() < 0.7:
                request.status = RequestStatus.CONFIRMED
                request.confirmed_at = request.closed_at
                steps.append((request, StepKind.CONFIRMED, "", request.closed_at))
        elif age > datetime.timedelta(hours=6) or delivered[id(request)]:
            request.status = RequestStatus.ASSIGNED
            request.assigned_to, request.assigned_at = officer, request.filed_at
            steps.append((request, StepKind.ASSIGNED, "", request.filed_at))
    EnterpriseRequest.objects.bulk_update(
        requests,
        [
            "status",
            "outcome",
            "assigned_to",
            "assigned_at",
            "closed_at",
            "closed_by",
            "confirmed_at",
        ],
    )


def _requests(rng, enterprises, items, officer, start, days, moment):
    """Each day a few enterprises ask (the liaison's enterprise on the first day)."""
    requests, request_lines, asked = [], [], {}
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        askers = rng.sample(enterprises, k=min(len(enterprises), rng.randint(1, 3)))
        if offset == 0:
            askers = [enterprises[0], *[e for e in askers if e != enterprises[0]]]
        for enterprise in askers:
            filed_at = moment(day, rng.randint(8, 17), rng.choice((0, 15, 30, 45)))
            if rng.random() < 0.7:
                kind, summary = RequestKind.SUPPLIES, ""
                wanted = {"masks": _round(rng, 500, 3000)}
                if rng.random() < 0.5:
                    wanted["disinfectant"] = _round(rng, 20, 100)
                summary = "、".join(
                    f"{items[code].name}{qty}{items[code].unit_of_measure}"
                    for code, qty in wanted.items()
                )
            else:
                kind, summary = rng.choice(OTHER_REQUESTS)
                wanted = {}
            request = EnterpriseRequest(
                enterprise=enterprise,
                kind=kind,
                summary=summary,
                filed_by=officer,
                filed_at=filed_at,
                due_at=request_due(kind, filed_at),
            )
            requests.append(request)
            asked[id(request)] = wanted
    requests.sort(key=lambda request: request.filed_at)
    EnterpriseRequest.objects.bulk_create(requests)
    for request in requests:
        for code, quantity in asked[id(request)].items():
            request_lines.append(RequestLine(request=request, item=items[code], quantity=quantity))
    RequestLine.objects.bulk_create(request_lines)

    return requests, asked


def _movements(rng, requests, asked, items, donors, store, officer, start, days, moment):
    """Donations each morning; distributions in the afternoon against the oldest requests,
    never more than is on hand. Returns the rows to write, and what each request got."""
    on_hand: dict[str, int] = defaultdict(int)
    delivered: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    donations, distributions, ledger, steps = [], [], [], []
    pending = []
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        for n in range(rng.randint(1, 2)):
            donation = Donation(
                unit=store,
                donor=rng.choice(donors),
                received_at=moment(day, 9, n * 20 + rng.choice((0, 5, 10))),
                received_by=officer,
            )
            donations.append(donation)
            for code in rng.sample(sorted(DONATION_SIZES), k=rng.randint(1, 3)):
                quantity = _round(rng, *DONATION_SIZES[code])
                on_hand[code] += quantity
                ledger.append((donation, None, code, Direction.IN, quantity, on_hand[code]))
        pending += [r for r in requests if r.filed_at.date() <= day and asked[id(r)]]
        handed = 0  # the afternoon's distributions, ten minutes apart from 13:00
        for request in list(pending):
            gives = {}
            for code, wanted in asked[id(request)].items():
                outstanding = wanted - delivered[id(request)][code]
                quantity = min(outstanding, on_hand[code])
                if quantity > 0:
                    gives[code] = quantity
            if not gives:
                continue
            at = moment(day, 13 + handed // 6, handed % 6 * 10)
            if at < request.filed_at:
                continue
            distribution = Distribution(
                unit=store,
                recipient=request.enterprise,
                request=request,
                distributed_at=at,
                distributed_by=officer,
                signed_for_by=rng.choice(SIGNERS),
            )
            distributions.append(distribution)
            handed += 1
            for code, quantity in gives.items():
                on_hand[code] -= quantity
                delivered[id(request)][code] += quantity
                ledger.append((None, distribution, code, Direction.OUT, quantity, on_hand[code]))
            given = "、".join(
                f"{items[code].name} {quantity} {items[code].unit_of_measure}"
                for code, quantity in gives.items()
            )
            steps.append((request, StepKind.DELIVERED, given, at))
            if all(delivered[id(request)][c] >= w for c, w in asked[id(request)].items()):
                pending.remove(request)

    return donations, distributions, ledger, steps, delivered, on_hand
