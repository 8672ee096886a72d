#!/usr/bin/env python
"""Time the retention purge on a throwaway database: access-log entries older than three
years (deleted) and released key persons with an ended episode, its readings and a fever
alert each (anonymised, readings deleted, history blanked).

    OUTPOST_VAR_DIR=/tmp/retention-bench .venv/bin/python bench/retention_purge.py \\
        [--log 100000] [--people 5000] [--readings 28]

Migrates the database of OUTPOST_VAR_DIR (use an empty one: the rows are added to it),
then prints the purge's time, the rows it changed per second, its certificate and the
time to verify the chain.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--readings", type=int, default=28)
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outpost.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    counts = _build(args)
    from outpost.core.retention.chain import chain_verify
    from outpost.core.retention.services import retention_purge

    started = time.perf_counter()
    summary = retention_purge()
    purge_s = time.perf_counter() - started
    started = time.perf_counter()
    check = chain_verify()
    verify_ms = (time.perf_counter() - started) * 1000
    changed = sum(counts.values())
    print(f"rows set up: {counts}")
    print(f"purge: {purge_s:.1f} s, {changed / purge_s:,.0f} rows/s")
    for key, entry in sorted(summary.counts.items()):
        print(f"  {key:<24}{entry['action']:<10}{entry['count']:>8}")
    print(f"certificate #{summary.certificate.sequence} {summary.certificate.record_hash[:16]}…")
    print(f"verify: {'ok' if check.ok else check.problem} in {verify_ms:.0f} ms")
    return 0


def _build(args) -> dict:
    from decimal import Decimal

    from django.contrib.auth.models import User
    from django.utils import timezone

    from outpost.core.choices import AccessAction, UnitKind
    from outpost.core.models import AccessLog, Unit
    from outpost.keypersons.choices import KeyPersonCategory, KeyPersonStatus, SourceType
    from outpost.keypersons.models import KeyPerson
    from outpost.observation.choices import (
        AlertKind,
        CheckInSource,
        EndReason,
        EpisodeKind,
        EpisodeStatus,
    )
    from outpost.observation.models import Alert, CheckIn, Episode

    now = timezone.now()
    user = User.objects.get_or_create(username="bench-retention")[0]
    unit = Unit.objects.get_or_create(
        code="BENCH",
        defaults={"name": "基准派出所", "kind": UnitKind.STATION, "path": "BENCH/"},
    )[0]
    old = now - datetime.timedelta(days=1200)
    AccessLog.objects.bulk_create(
        AccessLog(
            actor=user,
            at=old,
            action=AccessAction.REVEAL,
            model_label="registry.Resident",
            object_id=str(n),
            subject=f"居民{n}",
            fields=["id_number"],
            reason="核查身份",
        )
        for n in range(args.log)
    )
    ended = timezone.localdate() - datetime.timedelta(days=400)
    people = KeyPerson.objects.bulk_create(
        KeyPerson(
            unit=unit,
            name=f"重点人员{n}",
            id_number="420102199001011236",
            phone="13812345678",
            category=KeyPersonCategory.RISK_REGION_ARRIVAL,
            source_type=SourceType.MANUAL,
            status=KeyPersonStatus.RELEASED,
            identified_on=ended - datetime.timedelta(days=14),
            closed_on=ended,
            closed_reason="观察期满",
            created_by=user,
        )
        for n in range(args.people)
    )
    episodes = Episode.objects.bulk_create(
        Episode(
            unit=unit,
            key_person=person,
            kind=EpisodeKind.HOME_ISOLATION,
            status=EpisodeStatus.ENDED,
            start_date=ended - datetime.timedelta(days=13),
            planned_end_date=ended,
            ended_on=ended,
            end_reason=EndReason.COMPLETED,
            end_note="家属陪同",
            created_by=user,
        )
        for person in people
    )
    readings = CheckIn.objects.bulk_create(
        CheckIn(
            unit=unit,
            episode=episode,
            taken_at=old,
            temperature=Decimal("36.6"),
            source=CheckInSource.STAFF,
            note="正常",
        )
        for episode in episodes
        for _ in range(args.readings)
    )
    Alert.objects.bulk_create(
        Alert(unit=unit, episode=episode, kind=AlertKind.FEVER, raised_at=old, note="送医")
        for episode in episodes
    )
    return {
        "access log": args.log,
        "key persons": len(people),
        "episodes": len(episodes),
        "readings": len(readings),
        "alerts": len(episodes),
    }


if __name__ == "__main__":
    sys.exit(main())
