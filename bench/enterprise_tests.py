#!/usr/bin/env python
"""Time the employees' daily tests at the station's size: the "not reported today" page
(催报), an enterprise's tests page, the liaison's day form, and importing one day's
300-row workbook.

    .venv/bin/python bench/enterprise_tests.py [--scale 0.01] [--repeat 10] [--keep]

Builds into a fresh SQLite file in a temporary OUTPOST_VAR_DIR (or into DATABASE_URL,
which must then be empty) the demo district's units and staff (``--scale`` of its
residents), 126 enterprises of which 6 essential producers with 300 employees each and 30
days of reports (54,000 tests), one liaison bound to the first producer. Pages are
requested `--repeat` times through Django's test Client (server time inside the process:
middleware, view, queries, template), after one warm-up; the import runs the core
pipeline's steps as the worker does (read, check every row, commit). Targets: pages under
100 ms (median), the import under 1 s. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _district import demo_database, fresh_var_dir, setup_django

PAGE_TARGET_MS = 100
IMPORT_TARGET_MS = 1000
ESSENTIAL, OTHERS, EMPLOYEES, DAYS = 6, 120, 300, 30


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    args = parser.parse_args()
    os.environ["ALLOWED_HOSTS"] = "testserver"
    with fresh_var_dir(keep=args.keep, prefix="outpost-bench-emptests-"):
        setup_django()
        if demo_database(scale=args.scale, seed=args.seed) is None:
            return 2
        plants, liaison = build(args)
        return run(args, plants, liaison)


def build(args):
    from django.contrib.auth import get_user_model
    from django.db import connection

    from outpost.core.choices import UnitKind
    from outpost.core.models import Unit
    from outpost.demo.enterprise_tests import build_employee_tests
    from outpost.enterprises.choices import Sector
    from outpost.enterprises.models import Enterprise, EnterpriseLiaison
    from outpost.enterprises.tests.factories import credit_code

    started = time.perf_counter()
    grids = list(Unit.objects.filter(kind=UnitKind.GRID).order_by("code"))
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(
            unit=grids[n * 7 % len(grids)],
            name=f"大连第{n + 1}{'保供' if n < ESSENTIAL else ''}企业有限公司",
            credit_code=credit_code(50_000 + n),  # beyond the demo's own numbers
            sector=Sector.FOOD if n < ESSENTIAL else Sector.SERVICES,
            is_essential=n < ESSENTIAL,
            employees=EMPLOYEES if n < ESSENTIAL else 20,
        )
        for n in range(ESSENTIAL + OTHERS)
    )
    plants = enterprises[:ESSENTIAL]
    rows = build_employee_tests(
        enterprises=plants, days=DAYS, per_enterprise=EMPLOYEES, seed=args.seed
    )
    liaison = get_user_model().objects.get(username="liaison01")
    EnterpriseLiaison.objects.filter(user=liaison).delete()
    EnterpriseLiaison.objects.create(user=liaison, enterprise=plants[0])
    liaison.staff_profile.unit = plants[0].unit
    liaison.staff_profile.save(update_fields=["unit"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"enterprises:     {len(enterprises)} ({ESSENTIAL} essential × {EMPLOYEES} employees × "
        f"{DAYS} days: {rows:,} rows) in {time.perf_counter() - started:.1f} s\n"
    )
    return plants, liaison


def _time_page(client, url: str, repeat: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    timings = []
    queries = 0
    status = 0
    for _n in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        queries, status = len(captured), response.status_code
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return statistics.median(timings), p95, queries, status


def run(args, plants, liaison) -> int:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    leader = get_user_model().objects.get(username="leader")
    pages = [
        ("leader", leader, "not reported today", reverse("enterprise_tests:unreported")),
        (
            "leader",
            leader,
            "enterprise page",
            reverse("enterprise_tests:enterprise", args=[plants[1].pk]),
        ),
        (
            "liaison01",
            liaison,
            "enterprise page",
            reverse("enterprise_tests:enterprise", args=[plants[0].pk]),
        ),
        (
            "liaison01",
            liaison,
            "day form (300)",
            reverse("enterprise_tests:report", args=[plants[0].pk]),
        ),
        (
            "liaison01",
            liaison,
            "employee list",
            reverse("enterprise_tests:employees", args=[plants[0].pk]),
        ),
    ]
    failed = False
    print(f"{'user':<10} {'page':<22} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for username, user, label, url in pages:
        client = Client()
        client.force_login(user)
        median, p95, queries, status = _time_page(client, url, args.repeat)
        over = median > PAGE_TARGET_MS or status != 200
        failed |= over
        flag = f"  <-- {'over' if status == 200 else status}" if over else ""
        print(f"{username:<10} {label:<22} {median:>10.1f} {p95:>8.1f} {queries:>8}{flag}")
    seconds = time_import(plants[0], liaison)
    over = seconds * 1000 > IMPORT_TARGET_MS
    failed |= over
    print(
        f"\nimport of one day's {EMPLOYEES}-row workbook (read, check, commit, 1 fever alert): "
        f"{seconds * 1000:.0f} ms{'  <-- over' if over else ''}"
    )
    return 1 if failed else 0


def time_import(plant, liaison) -> float:
    from django.core.files import File
    from django.utils import timezone
    from openpyxl import Workbook

    from outpost.core.choices import ImportStatus
    from outpost.core.imports.services import import_job_create
    from outpost.core.imports.steps import (
        import_job_commit,
        import_job_inspect,
        import_job_validate,
    )
    from outpost.enterprises.models.employees import DailyTestReport, Employee

    book = Workbook()
    sheet = book.active
    sheet.append(["身份证号", "姓名", "体温", "检测结果", "日期"])
    today = timezone.localdate().isoformat()
    for n, employee in enumerate(Employee.objects.filter(enterprise=plant).order_by("pk")):
        sheet.append([employee.id_number, employee.name, 38.2 if n == 0 else 36.5, "阴性", today])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "day.xlsx"
        book.save(path)
        with path.open("rb") as handle:
            job = import_job_create(
                acting_user=liaison,
                kind="enterprises.employee_tests",
                unit=plant.unit,
                file=File(handle, name=path.name),
                original_name=path.name,
                queue=False,
            )
        started = time.perf_counter()
        job = import_job_inspect(acting_user=liaison, job=job)
        validation = import_job_validate(acting_user=liaison, job=job, progress=False)
        import_job_commit(acting_user=liaison, job=job, validation=validation)
        seconds = time.perf_counter() - started
    job.refresh_from_db()
    report = DailyTestReport.objects.get(enterprise=plant, day=timezone.localdate())
    if job.status != ImportStatus.DONE or report.reported != EMPLOYEES or report.fevers != 1:
        print(
            f"import did not finish as expected: {job.status} {job.first_errors[:3]}",
            file=sys.stderr,
        )
    return seconds


if __name__ == "__main__":
    sys.exit(main())
