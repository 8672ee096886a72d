"""The demo's public order (社会面管控): the reference station's 106 venues of five kinds (3
large sports venues, 28 bath and massage shops, 25 hotels, 22 KTV and internet cafés, 28
arcades) in its communities, the closure campaign that closed them all, three large events
cancelled, four patrol routes with their checkpoints and 14 days of patrols (a few late,
skipped or short, most acknowledged by the leader), and two years of the 110 system's daily
incident counts per police office, falling in the last weeks. Deterministic, bulk-written."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.models import User
from django.utils import timezone

from outpost.core.choices import UnitKind
from outpost.core.models import Unit
from outpost.demo.district import STATION_CODE
from outpost.publicorder.choices import (
    CheckpointKind,
    ClosureState,
    EventStatus,
    IncidentCategory,
    PatrolException,
    PatrolStatus,
)
from outpost.publicorder.models import (
    Checkpoint,
    ClosureCampaign,
    ClosureEntry,
    IncidentCount,
    LargeEvent,
    Patrol,
    PatrolCheckIn,
    PatrolRoute,
    Venue,
    VenueKind,
)

VENUES = {"sports": 3, "bath": 28, "hotel": 25, "ktv": 22, "arcade": 28}  # 106
VENUE_WORDS = {
    "sports": ("体育中心", "体育馆", "游泳馆"),
    "bath": ("洗浴中心", "足道", "按摩店", "汗蒸馆"),
    "hotel": ("宾馆", "快捷酒店", "大酒店", "旅馆"),
    "ktv": ("KTV", "网吧", "网咖", "量贩KTV"),
    "arcade": ("游艺厅", "电玩城", "游戏厅"),
}
PLACES = ("和平", "兴华", "春柳", "泉水", "东北路", "香炉礁", "黄河路", "长春路", "华北路", "明珠")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
ROUTES = [
    ("重点路段巡逻线", datetime.time(8, 0), [
        ("东北路与西北路交叉口", CheckpointKind.ROAD), ("黄河路沿线", CheckpointKind.ROAD),
        ("长春路口", CheckpointKind.ROAD), ("华北路桥下", CheckpointKind.ROAD),
    ]),
    ("火车站周边巡逻线", datetime.time(9, 0), [
        ("大连北站南广场", CheckpointKind.STATION), ("北站公交枢纽", CheckpointKind.STATION),
        ("北站出租车候车区", CheckpointKind.STATION),
    ]),
    ("广场巡逻线", datetime.time(14, 0), [
        ("春柳广场", CheckpointKind.SQUARE), ("香炉礁广场", CheckpointKind.SQUARE),
        ("泉水文化广场", CheckpointKind.SQUARE),
    ]),
    ("医院周边巡逻线", datetime.time(19, 0), [
        ("区中心医院门诊部", CheckpointKind.HOSPITAL), ("发热门诊入口", CheckpointKind.HOSPITAL),
        ("医院停车场", CheckpointKind.HOSPITAL), ("急诊通道", CheckpointKind.HOSPITAL),
    ]),
]  # fmt: skip
EVENTS = [
    ("元宵节灯会", "春柳广场", 20000, "区文化旅游中心"),
    ("春季庙会", "泉水文化广场", 8000, "街道文化站"),
    ("社区新春联欢会", "兴华社区活动中心", 500, "兴华社区居委会"),
]
# Daily incidents per police office before the epidemic: (low, high) per category.
INCIDENT_RATES = {
    IncidentCategory.CRIMINAL: (0, 3),
    IncidentCategory.PUBLIC_ORDER: (1, 6),
    IncidentCategory.TRAFFIC: (0, 5),
    IncidentCategory.OTHER: (2, 10),
}
# The last days, under the closures and patrols, have fewer incidents.
CALM_DAYS = 45


def build_public_order(
    *,
    seed: int,
    today: datetime.date,
    station: Unit | None = None,
    officer: User | None = None,
    leader: User | None = None,
    incident_days: int = 730,
) -> int:
    """Write the demo's public order; returns how many rows were written (0 without the
    demo's officer01 and leader)."""
    station = station or Unit.objects.filter(code=STATION_CODE).first()
    officer = officer or User.objects.filter(username="officer01").first()
    leader = leader or User.objects.filter(username="leader").first()
    if station is None or officer is None or leader is None:
        return 0
    rng = random.Random(seed * 19)
    written = 0
    venues = _venues(rng, station)
    written += len(venues)
    written += _campaign(rng, station, venues, officer, today)
    written += _events(rng, station, officer, today)
    written += _patrols(rng, officer, leader, today)
    written += _incidents(rng, station, today, incident_days)
    return written


def _communities(station: Unit) -> list[Unit]:
    units = list(
        Unit.objects.filter(path__startswith=station.path, kind=UnitKind.COMMUNITY).order_by("path")
    )
    return units or [station]


def _venues(rng: random.Random, station: Unit) -> list[Venue]:
    kinds = {kind.code: kind for kind in VenueKind.objects.filter(code__in=VENUES)}
    communities = _communities(station)
    venues = []
    n = 0
    for code, count in VENUES.items():
        for i in range(count):
            n += 1
            place = PLACES[(n * 7) % len(PLACES)]
            word = VENUE_WORDS[code][i % len(VENUE_WORDS[code])]
            venues.append(
                Venue(
                    unit=communities[(n * 3) % len(communities)],
                    kind=kinds[code],
                    name=f"{place}{word}{i + 1:02d}",
                    licence_number=f"{code.upper()}-210204-{n:04d}",
                    address=f"哈尔滨路街道{place}路{rng.randint(1, 300)}号",
                    responsible_person=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    responsible_phone=f"139{rng.randint(10_000_000, 99_999_999)}",
                )
            )
    return Venue.objects.bulk_create(venues)


def _campaign(rng, station, venues, officer, today) -> int:
    started = today - datetime.timedelta(days=28)
    campaign = ClosureCampaign.objects.create(
        unit=station, name="停业劝导专项行动", started_on=started, created_by=officer
    )
    entries = []
    for index, venue in enumerate(venues):
        persuaded = started + datetime.timedelta(days=rng.randint(0, 3))
        closed = persuaded + datetime.timedelta(days=rng.randint(0, 2))
        inspected = closed + datetime.timedelta(days=rng.randint(3, 10))
        entry = ClosureEntry(
            campaign=campaign,
            venue=venue,
            state=ClosureState.CLOSED,
            persuaded_on=persuaded,
            closed_on=closed,
            officer=officer,
        )
        if index % 4:  # three in four inspected closed since
            entry.state = ClosureState.INSPECTED
            entry.inspected_on = min(inspected, today)
        entries.append(entry)
    ClosureEntry.objects.bulk_create(entries)
    return 1 + len(entries)


def _events(rng, station, officer, today) -> int:
    events = []
    for n, (name, place, attendance, organiser) in enumerate(EVENTS):
        events.append(
            LargeEvent(
                unit=station,
                name=name,
                place=place,
                planned_on=today + datetime.timedelta(days=3 + 5 * n),
                expected_attendance=attendance,
                organiser=organiser,
                organiser_contact=rng.choice(SURNAMES) + rng.choice(GIVEN),
                organiser_phone=f"138{rng.randint(10_000_000, 99_999_999)}",
                status=EventStatus.CANCELLED,
                cancelled_on=today - datetime.timedelta(days=20 - n),
                confirmed_by=officer,
                note="主办方同意取消",
                created_by=officer,
            )
        )
    LargeEvent.objects.bulk_create(events)
    return len(events)


def _at(day: datetime.date, time: datetime.time, minutes: int) -> datetime.datetime:
    moment = datetime.datetime.combine(day, time) + datetime.timedelta(minutes=minutes)
    return timezone.make_aware(moment)


def _patrols(rng, officer, leader, today) -> int:
    unit = officer.staff_profile.unit
    routes, points = [], {}
    for name, starts_at, checkpoints in ROUTES:
        route = PatrolRoute.objects.create(
            unit=unit, name=name, leader=leader, starts_at=starts_at, completion_threshold=100
        )
        routes.append(route)
        points[route.pk] = Checkpoint.objects.bulk_create(
            Checkpoint(route=route, name=point, kind=kind, order=order)
            for order, (point, kind) in enumerate(checkpoints, start=1)
        )
    patrols, plans = [], []
    for back in range(14, 0, -1):  # the 14 days before today; today is left to patrol
        day = today - datetime.timedelta(days=back)
        for r, route in enumerate(routes):
            stops = points[route.pk]
            roll = (back * 5 + r * 3) % 17
            if roll == 0:
                patrols.append(_skipped(route, day, len(stops), leader, back))
                continue
            late = roll == 1
            reached = len(stops) - 1 if roll == 2 else len(stops)
            start = _at(day, route.starts_at, 45 if late else rng.randint(0, 15))
            exception = (
                PatrolException.INCOMPLETE
                if reached < len(stops)
                else (PatrolException.LATE if late else "")
            )
            patrol = Patrol(
                route=route,
                day=day,
                officer=officer,
                status=PatrolStatus.FINISHED,
                started_at=start,
                finished_at=start + datetime.timedelta(minutes=12 * reached + 5),
                checkpoints_total=len(stops),
                checked_in=reached,
                exception=exception,
            )
            if exception and back > 2:
                _acknowledge(patrol, leader, day)
            patrols.append(patrol)
            plans.append((patrol, stops[:reached], start))
    Patrol.objects.bulk_create(patrols)
    check_ins = [
        PatrolCheckIn(
            patrol=patrol, checkpoint=stop, at=start + datetime.timedelta(minutes=12 * i + 3),
            by=officer,
        )
        for patrol, stops, start in plans
        for i, stop in enumerate(stops)
    ]  # fmt: skip
    PatrolCheckIn.objects.bulk_create(check_ins)
    return len(routes) + sum(len(p) for p in points.values()) + len(patrols) + len(check_ins)


def _skipped(route, day, total, leader, back) -> Patrol:
    patrol = Patrol(
        route=route,
        day=day,
        status=PatrolStatus.SKIPPED,
        checkpoints_total=total,
        exception=PatrolException.SKIPPED,
    )
    if back > 2:
        _acknowledge(patrol, leader, day)
    return patrol


def _acknowledge(patrol: Patrol, leader, day) -> None:
    patrol.acknowledged_by = leader
    patrol.acknowledged_at = _at(day + datetime.timedelta(days=1), datetime.time(8, 30), 0)
    patrol.acknowledgement = "已核实，已督促整改"


def _incidents(rng, station, today, days) -> int:
    offices = list(
        Unit.objects.filter(path__startswith=station.path, kind=UnitKind.POLICE_OFFICE).order_by(
            "path"
        )
    ) or [station]
    rows = []
    for back in range(days, 0, -1):
        day = today - datetime.timedelta(days=back)
        calm = back <= CALM_DAYS
        for office in offices:
            for category, (low, high) in INCIDENT_RATES.items():
                count = rng.randint(low, high)
                if calm:
                    count = count // 2
                rows.append(IncidentCount(unit=office, day=day, category=category, count=count))
    IncidentCount.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
