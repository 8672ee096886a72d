"""The demo district's screening (演示数据·大数据比对): risk designations in force over the
demo's days, and each morning's feed of rail passengers read and matched by the real engine.

Each feed holds the day's arrivals (their ID, often their phone, where they came from, when
and on which train), travellers who do not live in the district (unmatched), and a few rows
whose ID number was mistyped in its birth date, whose name was written with a homophone and
that carry no phone: nothing confirms them beyond doubt, so the engine sends those to the
review queue (待确认比对). The run's results, counts and concealed-travel discrepancies are the
engine's own, so every page behind a run shows what a real run shows.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from dataclasses import dataclass

from django.core.files.base import ContentFile

from outpost.demo.clock import at
from outpost.demo.district import _Generator
from outpost.registry.models import Resident
from outpost.screening.choices import FeedSourceType, FeedStatus, RiskLevel, RunStatus
from outpost.screening.models import (
    Feed,
    FeedRow,
    OriginCategory,
    Region,
    RiskDesignation,
    ScreeningRun,
)
from outpost.screening.services.runs import (
    SourceRow,
    screening_compute,
    screening_results_store,
)

BATCH_SIZE = 1000
DESIGNATION_MARGIN = datetime.timedelta(days=30)
DESIGNATION_NOTE = "演示辖区：本轮疫情防控期间的风险地区认定"
# Where the arrivals of each origin category come from: (place, GB/T 2260 code).
ORIGINS = {
    "wuhan": (("武汉市", "420100"),),
    "hubei_outside_wuhan": (
        ("宜昌市", "420500"),
        ("孝感市", "420900"),
        ("荆州市", "421000"),
        ("黄冈市", "421100"),
    ),
    "elsewhere": (
        ("北京市", "110000"),
        ("上海市", "310000"),
        ("广州市", "440100"),
        ("哈尔滨市", "230100"),
        ("沈阳市", "210100"),
        ("成都市", "510100"),
    ),
}
DESIGNATIONS = (
    ("420100", RiskLevel.HIGH, "wuhan"),
    ("420000", RiskLevel.HIGH, "hubei_outside_wuhan"),
)
TRAINS = ("G1288", "G1290", "D28", "K1024", "Z82", "G8012")
STRANGER_SHARE = 0.25  # feed rows of travellers who do not live in the district
MISTYPED_PER_FEED = 2  # rows whose ID has one wrong digit and no phone: to review
# Characters of common names and a homophone of each (a clerk's slip typing the name).
HOMOPHONES = {
    "张": "章", "李": "理", "王": "汪", "伟": "玮", "明": "鸣", "平": "萍", "刚": "钢",
    "玉": "钰", "军": "君", "华": "桦", "敏": "民", "杰": "洁", "林": "琳", "芳": "方",
}  # fmt: skip
PHONE_SHARE = 0.6  # rows that carry the traveller's phone
HEADINGS = ["姓名", "身份证号", "手机号", "出发地", "到达日期", "车次", "座位"]


@dataclass(slots=True)
class FeedPerson:
    """One arrival the demo wants the morning's feed to carry."""

    resident_id: int
    place: str
    region_code: str
    arrival: datetime.date


def demo_designations_open(*, first_day: datetime.date, today: datetime.date) -> int:
    """Designations in force over the demo's days (the shipped ones cover early 2020):
    Wuhan and the rest of Hubei high risk, every other place the catch-all."""
    categories = {c.code: c for c in OriginCategory.objects.all()}
    start, end = first_day - DESIGNATION_MARGIN, today + DESIGNATION_MARGIN
    designations = [
        RiskDesignation(
            region=Region.objects.get(code=code),
            level=level,
            category=categories[category],
            start_date=start,
            end_date=end,
            note=DESIGNATION_NOTE,
        )
        for code, level, category in DESIGNATIONS
        if category in categories
    ]
    if "elsewhere" in categories:
        designations.append(
            RiskDesignation(
                region=None,
                level=RiskLevel.LOW,
                category=categories["elsewhere"],
                start_date=start,
                end_date=end,
                note=DESIGNATION_NOTE,
            )
        )
    RiskDesignation.objects.bulk_create(designations)
    return len(designations)


@dataclass(slots=True)
class _EngineResident:
    pk: int
    name: str
    id_number: str
    phone: str
    birth_date: datetime.date | None
    unit_id: int


class DemoFeeds:
    """Writes each morning's feed and runs the engine over it against every resident."""

    def __init__(self, *, rng: random.Random, station, analyst_id: int) -> None:
        self.rng = rng
        self.station = station
        self.analyst_id = analyst_id
        self.strangers = _Generator(random.Random(rng.random()))
        self.residents = [
            _EngineResident(*row)
            for row in Resident.objects.filter(is_active=True, merged_into__isnull=True)
            .order_by("pk")
            .values_list("pk", "name", "id_number", "phone", "birth_date", "unit_id")
        ]
        self.by_pk = {r.pk: r for r in self.residents}
        self.known_ids = {r.id_number for r in self.residents if r.id_number}
        self.known_phones = {r.phone for r in self.residents if r.phone}
        self.picked_for_review: set[int] = set()
        self.feed_rows = 0
        self.discrepancies = 0

    def run(
        self, *, day: datetime.date, arrivals: list[FeedPerson], avoid: set[int]
    ) -> ScreeningRun:
        """The morning's feed and its run at 09:00; `avoid` are residents the review rows
        must not name (the day's arrivals and earlier key persons)."""
        started = at(day, 9)
        rows = self._rows(day, arrivals, avoid)
        feed = self._feed(day, rows, uploaded=started - datetime.timedelta(minutes=20))
        run = ScreeningRun.objects.create(
            unit=self.station,
            created_by_id=self.analyst_id,
            status=RunStatus.RUNNING,
            progress=0,
            started_at=started,
        )
        run.feeds.add(feed)
        screening = screening_compute(
            residents=self.residents,
            rows=[
                SourceRow(
                    row_id=row.pk,
                    feed=feed.original_name,
                    row_number=row.row_number,
                    name=row.name,
                    id_number=row.id_number,
                    phone=row.phone,
                    origin_region_code=row.origin_region_code,
                    arrival_date=row.arrival_date,
                )
                for row in rows
            ],
            decisions={},
        )
        discrepancies = screening_results_store(
            run=run,
            screening=screening,
            unit_of={o.resident_id: self.by_pk[o.resident_id].unit_id for o in screening.outcomes},
        )
        self.discrepancies += discrepancies
        ScreeningRun.objects.filter(pk=run.pk).update(
            created_at=started,
            status=RunStatus.DONE,
            progress=100,
            counts={**screening.counts(), "discrepancies": discrepancies},
            finished_at=started + datetime.timedelta(minutes=4),
        )
        run.refresh_from_db()
        return run

    def _rows(self, day: datetime.date, arrivals: list[FeedPerson], avoid: set[int]):
        rng = self.rng
        entries = []
        for person in arrivals:
            resident = self.by_pk[person.resident_id]
            phone = resident.phone if rng.random() < PHONE_SHARE else ""
            entries.append(
                (resident.name, resident.id_number, phone, person.place, person.region_code,
                 person.arrival)
            )  # fmt: skip
        for _n in range(max(1, round(len(arrivals) * STRANGER_SHARE))):
            entries.append(self._stranger(day))
        entries.extend(self._mistyped(day, avoid))
        rng.shuffle(entries)
        feed_rows = []
        for number, (name, id_number, phone, place, code, arrival) in enumerate(entries, start=2):
            feed_rows.append(
                FeedRow(
                    row_number=number,
                    name=name,
                    id_number=id_number,
                    phone=phone,
                    origin=place,
                    origin_region_code=code,
                    arrival_date=arrival,
                    train_or_flight=rng.choice(TRAINS),
                    seat=f"{rng.randrange(1, 17):02d}车{rng.randrange(1, 20):02d}{rng.choice('ABCDF')}",
                )
            )
        return feed_rows

    def _stranger(self, day: datetime.date) -> tuple:
        gen = self.strangers
        while True:
            sex = gen.sex()
            id_number = gen.id_number(
                gen.region("tenant"), gen.birth(gen.rng.randrange(20, 70)), sex
            )
            if id_number not in self.known_ids:
                break
        phone = ""
        if gen.rng.random() < PHONE_SHARE:
            phone = gen.phone()
            if phone in self.known_phones:
                phone = ""
        place, code = gen.rng.choice(ORIGINS["elsewhere"])
        return (gen.name(sex), id_number, phone, place, code, day - datetime.timedelta(days=1))

    def _mistyped(self, day: datetime.date, avoid: set[int]) -> list[tuple]:
        """Residents whose ID was typed with one wrong digit of its birth date, whose name
        was typed with a homophone, and with no phone: a similar name is all that backs the
        near ID (the birth date cannot), so a person must decide."""
        rng = self.rng
        rows = []
        while len(rows) < MISTYPED_PER_FEED:
            resident = rng.choice(self.residents)
            slip = next((i for i, c in enumerate(resident.name) if c in HOMOPHONES), None)
            if (
                resident.pk in avoid
                or resident.pk in self.picked_for_review
                or len(resident.id_number) != 18
                or slip is None
            ):
                continue
            self.picked_for_review.add(resident.pk)
            name = (
                resident.name[:slip] + HOMOPHONES[resident.name[slip]] + resident.name[slip + 1 :]
            )
            digits = list(resident.id_number)
            position = rng.choice((12, 13))  # the day of birth
            digits[position] = str((int(digits[position]) + rng.randrange(1, 10)) % 10)
            place, code = rng.choice(ORIGINS["elsewhere"])
            rows.append((name, "".join(digits), "", place, code, day - datetime.timedelta(days=1)))
        return rows

    def _feed(self, day: datetime.date, rows: list[FeedRow], *, uploaded) -> Feed:
        name = f"铁路旅客到连名单_{day:%Y%m%d}.csv"
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(HEADINGS)
        for row in rows:
            writer.writerow(
                [row.name, row.id_number, row.phone, row.origin, f"{row.arrival_date:%Y-%m-%d}",
                 row.train_or_flight, row.seat]
            )  # fmt: skip
        feed = Feed(
            unit=self.station,
            source_type=FeedSourceType.RAIL,
            original_name=name,
            uploaded_by_id=self.analyst_id,
            status=FeedStatus.PARSED,
            progress=100,
            total_rows=len(rows),
        )
        feed.file.save(name, ContentFile(text.getvalue().encode("utf-8-sig")), save=False)
        feed.save()
        Feed.objects.filter(pk=feed.pk).update(uploaded_at=uploaded)
        for row in rows:
            row.feed = feed
        FeedRow.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.feed_rows += len(rows)
        return feed
