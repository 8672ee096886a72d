#!/usr/bin/env python
"""Time the briefing's figures and the daily report (xlsx and PDF) at full demo scale.

    .venv/bin/python bench/briefing_report.py [--scale 1.0] [--seed 2020] [--key-persons 5000]
        [--episodes 3000] [--check-ins 60000] [--contacts 20000] [--png FILE] [--keep]

Builds the demo district into a fresh SQLite file in a temporary OUTPOST_VAR_DIR (or uses
DATABASE_URL, which must point at an empty database); makes `--key-persons` residents key
persons under management with their four-on-one teams and `--contacts` contacts (as
bench/keypersons_views.py does), `--episodes` observation episodes of them (a tenth in
centralized isolation with a room), `--check-ins` check-ins over their days, fever alerts
and an overdue dispatch order (all bulk); freezes yesterday's snapshots (timed), then times
the station's figures (`subtree_figures`, what the dashboard counts), and yesterday's report
of the station as xlsx and as PDF. Writes page 1 of the PDF as a PNG (`--png`) to look at.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from _district import demo_database, fresh_var_dir, setup_django

DASHBOARD_TARGET_MS = 300
REPORT_TARGET_S = 5.0
REPEAT = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--key-persons", type=int, default=5000)
    parser.add_argument("--episodes", type=int, default=3000)
    parser.add_argument("--check-ins", type=int, default=60000)
    parser.add_argument("--contacts", type=int, default=20000)
    parser.add_argument("--png", default="/tmp/briefing_page1.png")
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    args = parser.parse_args()

    os.environ["ALLOWED_HOSTS"] = "testserver"
    with fresh_var_dir(keep=args.keep) as var_dir:
        return run(args, var_dir)


def run(args: argparse.Namespace, var_dir: Path) -> int:
    setup_django()

    # The four-on-one data as the key-persons bench makes it.
    from keypersons_views import make_contacts, make_key_persons, make_teams

    summary = demo_database(scale=args.scale, seed=args.seed)
    if summary is None:
        return 2
    rng = random.Random(args.seed)
    started = time.perf_counter()
    key_persons = make_key_persons(args.key_persons, rng)
    members = make_teams(key_persons)
    contacts, overdue = make_contacts(args.contacts, rng)
    print(
        f"key persons:     {len(key_persons):,}, {members:,} team places, {contacts:,} contacts, "
        f"{overdue:,} overdue ({time.perf_counter() - started:.1f} s)"
    )
    started = time.perf_counter()
    episodes, check_ins, alerts = make_observation(args.episodes, args.check_ins, rng)
    items = make_dispatch(rng)
    print(
        f"observation:     {episodes:,} episodes, {check_ins:,} check-ins, {alerts:,} alerts; "
        f"{items:,} dispatch items ({time.perf_counter() - started:.1f} s, bulk)"
    )
    print()
    return time_everything(args)


def make_observation(count: int, check_in_count: int, rng: random.Random) -> tuple[int, int, int]:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from outpost.core.choices import UnitKind
    from outpost.core.models import Unit
    from outpost.keypersons.choices import KeyPersonStatus
    from outpost.keypersons.models import KeyPerson
    from outpost.observation.choices import AlertKind, CheckInSource, EpisodeKind
    from outpost.observation.models import (
        Alert,
        CheckIn,
        Episode,
        IsolationSite,
        Room,
        RoomStay,
    )

    admin = User.objects.get(username="admin")
    now = timezone.now()
    today = timezone.localdate()
    station = Unit.objects.get(kind=UnitKind.STATION)
    site = IsolationSite.objects.create(unit=station, name="隔离酒店", address="中山路1号")
    rooms = Room.objects.bulk_create(
        [
            Room(site=site, floor=str(f), number=f"{f}{n:02d}")
            for f in range(2, 12)
            for n in range(1, 41)
        ]
    )
    managed = list(
        KeyPerson.objects.filter(status=KeyPersonStatus.UNDER_MANAGEMENT).values_list(
            "pk", "unit_id"
        )
    )
    chosen = rng.sample(managed, min(count, len(managed)))
    episodes = []
    for index, (key_person_id, unit_id) in enumerate(chosen):
        centralized = index < len(rooms) and index % 10 == 0
        start = today - datetime.timedelta(days=rng.randint(0, 12))
        episodes.append(
            Episode(
                unit_id=unit_id,
                key_person_id=key_person_id,
                kind=EpisodeKind.CENTRALIZED if centralized else EpisodeKind.HOME_ISOLATION,
                site=site if centralized else None,
                start_date=start,
                planned_end_date=start + datetime.timedelta(days=13),
                check_in_times=["08:00", "18:00"],
                created_by=admin,
            )
        )
    Episode.objects.bulk_create(episodes, batch_size=2000)
    episodes = list(Episode.objects.all())
    RoomStay.objects.bulk_create(
        [
            RoomStay(
                episode=episode,
                room=room,
                checked_in_at=timezone.make_aware(
                    datetime.datetime.combine(episode.start_date, datetime.time(10))
                ),
                checked_in_by=admin,
            )
            for episode, room in zip(
                [e for e in episodes if e.kind == EpisodeKind.CENTRALIZED], rooms, strict=False
            )
        ]
    )
    check_ins = []
    for index in range(check_in_count):
        episode = episodes[index % len(episodes)]
        since = timezone.make_aware(datetime.datetime.combine(episode.start_date, datetime.time(8)))
        hours = max(1.0, (now - since).total_seconds() / 3600)
        check_ins.append(
            CheckIn(
                unit_id=episode.unit_id,
                episode=episode,
                taken_at=since + datetime.timedelta(hours=rng.uniform(0, hours)),
                temperature=Decimal("38.2") if rng.random() < 0.005 else Decimal("36.6"),
                source=CheckInSource.SELF_REPORT,
            )
        )
    CheckIn.objects.bulk_create(check_ins, batch_size=5000)
    # Temperatures are encrypted at rest: the fevers are picked as the application reads them.
    fevers = [
        c for c in CheckIn.objects.select_related("episode") if c.temperature >= Decimal("37.3")
    ]
    alerts = [
        Alert(
            unit_id=check_in.unit_id,
            episode_id=check_in.episode_id,
            kind=AlertKind.FEVER,
            check_in=check_in,
            raised_at=check_in.taken_at,
        )
        for check_in in fevers
    ]
    Alert.objects.bulk_create(alerts, batch_size=2000)
    return len(episodes), len(check_ins), len(alerts)


def make_dispatch(rng: random.Random) -> int:
    """One order of 600 people due yesterday noon, a third not verified (overdue)."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from outpost.core.choices import UnitKind
    from outpost.core.models import Unit
    from outpost.dispatch.choices import ItemResult, MatchStatus, OrderStatus
    from outpost.dispatch.models import DispatchItem, DispatchOrder
    from outpost.registry.models import Resident

    admin = User.objects.get(username="admin")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    order = DispatchOrder.objects.create(
        unit=Unit.objects.get(kind=UnitKind.STATION),
        order_number="DD-BENCH-1",
        issuing_body="市疫情防控指挥部",
        title="核查名单",
        deadline=timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(12))),
        file="dispatch/bench.xlsx",
        original_name="bench.xlsx",
        status=OrderStatus.READY,
        progress=100,
        created_by=admin,
    )
    residents = rng.sample(
        list(Resident.objects.values_list("pk", "unit_id", "name", "id_number", "phone")), 600
    )
    DispatchItem.objects.bulk_create(
        [
            DispatchItem(
                order=order,
                unit_id=unit_id,
                row_number=row,
                resident_id=pk,
                name=name,
                id_number=id_number,
                phone=phone,
                match_status=MatchStatus.AUTO,
                result=ItemResult.FOUND_MANAGED if row % 3 else "",
            )
            for row, (pk, unit_id, name, id_number, phone) in enumerate(residents, start=2)
        ]
    )
    return len(residents)


def _timed(call, repeat: int) -> tuple[float, float, float, object]:
    """Median wall time, median CPU time of this process (the machine may be shared: the
    CPU time is what the work costs), slowest wall time, and the last value."""
    walls, cpus, value = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        value = call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), max(walls), value


def _time_dashboard(username: str) -> tuple[float, float, int]:
    """The dashboard page (figures, deltas, units below, trend charts) through Django's
    test client, as the user who opens it: median and slowest server time, queries."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(User.objects.get(username=username))
    assert client.get("/briefing/").status_code == 200  # warm-up
    times = []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/briefing/")
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times), max(times), len(queries)


def time_everything(args: argparse.Namespace) -> int:
    import pypdfium2
    from django.contrib.auth import get_user_model
    from django.utils import timezone, translation

    from outpost.briefing.exports import daily_report_pdf, daily_report_xlsx
    from outpost.briefing.figures import subtree_figures
    from outpost.briefing.reports import daily_report
    from outpost.briefing.services import snapshots_take
    from outpost.core.choices import UnitKind
    from outpost.core.models import Unit

    station = Unit.objects.get(kind=UnitKind.STATION)
    leader = get_user_model().objects.get(username="leader")
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    started = time.perf_counter()
    written = snapshots_take(day=yesterday)
    print(f"snapshots of yesterday: {written:,} units in {time.perf_counter() - started:.2f} s")

    subtree_figures(root=station, day=today)  # warm-up
    median, cpu, slowest, figures = _timed(lambda: subtree_figures(root=station, day=today), REPEAT)
    over = median * 1000 > DASHBOARD_TARGET_MS
    print(
        f"figures, station and its {len(figures) - 1:,} units (live, today): median "
        f"{median * 1000:.0f} ms, CPU {cpu * 1000:.0f} ms (max {slowest * 1000:.0f})"
        f"{'  > target' if over else ''}"
    )
    failed = over
    for username in ("leader", "officer01"):
        median, slowest, queries = _time_dashboard(username)
        over = median > DASHBOARD_TARGET_MS
        failed |= over
        print(
            f"dashboard page as {username}: median {median:.0f} ms (max {slowest:.0f}), "
            f"{queries} queries{'  > target' if over else ''}"
        )
    with translation.override("zh-hans"):
        median, _cpu, _max, report = _timed(
            lambda: daily_report(user=leader, unit=station, day=yesterday), 3
        )
        sizes = ", ".join(f"{r.key} {len(r.rows):,}" for r in report.lists)
        print(f"report data (snapshot + lists: {sizes}): median {median:.2f} s")
        for label, render in (("xlsx", daily_report_xlsx), ("pdf", daily_report_pdf)):

            def whole(render=render):
                return render(daily_report(user=leader, unit=station, day=yesterday))

            median, cpu, slowest, content = _timed(whole, 3)
            over = median > REPORT_TARGET_S
            failed |= over
            print(
                f"daily report {label}: {len(content) / 1024:.0f} KiB, median {median:.2f} s, "
                f"CPU {cpu:.2f} s (max {slowest:.2f}){'  > target' if over else ''}"
            )
            if label == "pdf":
                document = pypdfium2.PdfDocument(content)
                document[0].render(scale=1.5).to_pil().save(args.png)
                print(f"PDF: {len(document)} pages; page 1 written to {args.png}")
                document.close()
    print(
        f"targets: figures under {DASHBOARD_TARGET_MS} ms, each report under "
        f"{REPORT_TARGET_S:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
