"""The demo's enforcement cases (打击查处): the reference station's two cases, with their
parties, measures and seized goods, written through the cases' services (so every row is
validated and audited like an officer's).

* An unlicensed special-trade business (无证经营特种行业): the operator detained 15 days,
  execution deferred 30 days because of the epidemic, and fined 1,000 yuan (paid).
* A workshop making fake "84" disinfectant (制售假冒“84”消毒液): 3 people dealt with; 340
  barrels of 3.8 kg diluted product and 55 barrels of 55 kg concentrate seized, stored at the
  station, the diluted product destroyed with a second officer's approval, the concentrate
  handed over to the market regulator.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.utils import timezone

from outpost.cases import services
from outpost.cases.choices import CaseKind, CaseState, MeasureKind, MoveKind, PartyKind
from outpost.cases.models import Case
from outpost.core.identity import id_check_character

CHINA = ZoneInfo("Asia/Shanghai")


def _id(region: str, born: datetime.date, serial: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_character(first17)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA)


def _advance(case: Case, officer, *states) -> None:
    for state in states:
        services.case_transition(acting_user=officer, case=case, to_state=state)


def build_cases(*, today: datetime.date, officer: User | None, keeper: User | None = None) -> int:
    """Write the two cases (officer: the case officer; keeper: the colleague who keeps the
    station's store, siteofficer01 by default, and asks for the disposal the officer
    approves); returns how many cases were written."""
    keeper = keeper or User.objects.filter(username="siteofficer01").first()
    if officer is None or keeper is None or Case.objects.exists():
        return 0
    today = min(today, timezone.localdate())
    unit = officer.staff_profile.unit
    year = today.year

    # 1. The unlicensed special-trade business.
    day = today - datetime.timedelta(days=20)
    hotel = services.case_register(
        acting_user=officer,
        unit=unit,
        number=f"大公（哈）行罚决字〔{year}〕0101号",
        kind=CaseKind.UNLICENSED_BUSINESS,
        occurred_on=day,
        summary="疫情防控期间，当事人未取得特种行业许可证擅自经营旅馆业，接待住宿人员未登记。",
        linked_text="无证经营小旅馆",
        officers=[officer],
    )
    operator = services.party_add(
        acting_user=officer,
        case=hotel,
        kind=PartyKind.PERSON,
        name="王某某",
        id_number=_id("210203", datetime.date(1978, 4, 12), 31),
        role="经营者",
    )
    _advance(hotel, officer, CaseState.INVESTIGATING, CaseState.DECIDED)
    decided = day + datetime.timedelta(days=2)
    services.measure_record(
        acting_user=officer,
        case=hotel,
        party=operator,
        kind=MeasureKind.DETENTION,
        decided_on=decided,
        detention_days=15,
        detention_start=_at(decided, 16),
        deferral_days=30,
        deferral_reason="疫情防控期间暂缓执行",
    )
    fine = services.measure_record(
        acting_user=officer,
        case=hotel,
        party=operator,
        kind=MeasureKind.FINE,
        decided_on=decided,
        fine_amount=Decimal("1000"),
    )
    services.fine_mark_paid(
        acting_user=officer, measure=fine, paid_on=decided + datetime.timedelta(days=8)
    )
    _advance(hotel, officer, CaseState.EXECUTING)

    # 2. The fake "84" disinfectant workshop.
    day = today - datetime.timedelta(days=12)
    workshop = services.case_register(
        acting_user=officer,
        unit=unit,
        number=f"大公（哈）刑立字〔{year}〕0023号",
        kind=CaseKind.COUNTERFEIT_GOODS,
        occurred_on=day,
        summary="群众举报某小作坊生产假冒“84”消毒液，现场查获稀释成品及浓缩原液，"
        "依法查处涉案人员3名。",
        linked_text="某村民房内小作坊",
        officers=[officer, keeper],
    )
    people = [
        services.party_add(
            acting_user=officer,
            case=workshop,
            kind=PartyKind.PERSON,
            name=name,
            id_number=_id("210204", born, serial),
            role=role,
        )
        for name, born, serial, role in (
            ("刘某", datetime.date(1972, 9, 3), 11, "组织者"),
            ("陈某", datetime.date(1985, 1, 22), 52, "同案人"),
            ("赵某", datetime.date(1990, 7, 8), 64, "雇工"),
        )
    ]
    _advance(workshop, officer, CaseState.INVESTIGATING)
    seized_at = _at(day, 10, 30)
    diluted = services.item_seize(
        acting_user=officer,
        case=workshop,
        description="假冒“84”消毒液（稀释成品）",
        specification="3.8公斤/桶",
        quantity=Decimal("340"),
        measure="barrel",
        location="作坊现场",
        reason="现场查获，依法扣押",
        seized_at=seized_at,
    )
    concentrate = services.item_seize(
        acting_user=officer,
        case=workshop,
        description="“84”消毒液浓缩原液",
        specification="55公斤/桶",
        quantity=Decimal("55"),
        measure="barrel",
        location="作坊现场",
        reason="现场查获，依法扣押",
        seized_at=seized_at,
    )
    for item in (diluted, concentrate):
        services.item_move(
            acting_user=officer,
            item=item,
            kind=MoveKind.STORE,
            to_user=keeper,
            location="派出所涉案物品保管室",
            reason="入库保管",
            at=_at(day, 18),
        )
    decided = day + datetime.timedelta(days=3)
    _advance(workshop, officer, CaseState.DECIDED)
    for party, note in ((people[0], "刑事拘留"), (people[1], "刑事拘留")):
        services.measure_record(
            acting_user=officer,
            case=workshop,
            party=party,
            kind=MeasureKind.CRIMINAL,
            decided_on=decided,
            note=note,
        )
    services.measure_record(
        acting_user=officer,
        case=workshop,
        party=people[2],
        kind=MeasureKind.DETENTION,
        decided_on=decided,
        detention_days=10,
        detention_start=_at(decided, 15),
    )
    services.measure_record(
        acting_user=officer,
        case=workshop,
        kind=MeasureKind.TRANSFER,
        decided_on=decided,
        transferred_to="区市场监督管理局",
        note="移送产品质量问题线索",
    )
    services.item_move(
        acting_user=keeper,
        item=concentrate,
        kind=MoveKind.TRANSFER,
        to_outside="区市场监督管理局",
        reason="随案移送，鉴定后处理",
        at=_at(today - datetime.timedelta(days=5), 10),
    )
    request = services.disposal_request(
        acting_user=keeper,
        item=diluted,
        kind=MoveKind.DESTROY,
        to_outside="市危险废物处置中心",
        reason="经鉴定为不合格产品，依法销毁",
    )
    services.disposal_decide(
        acting_user=officer,
        disposal=request,
        approve=True,
        at=min(_at(today - datetime.timedelta(days=2), 9), timezone.now()),
    )
    _advance(workshop, officer, CaseState.EXECUTING)
    return 2
