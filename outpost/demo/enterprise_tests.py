"""The demo's employees' daily tests (员工每日检测): for each essential producer ~300
employees (a few returned from elsewhere) and the last days of reports, a few fevers
among them; today's report left to the liaison of the first one, so that `liaison01`
has a real day. Deterministic (seeded), written with bulk_create.

Called from where the demo builds its enterprises, with the essential producers."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from outpost.core.validators import id_check_character
from outpost.demo.names import _FEMALE, _MALE, SURNAMES
from outpost.enterprises.choices_employees import EmployeeOrigin, ReportSource, TestResult
from outpost.enterprises.models.employees import DailyTestReport, Employee, EmployeeTest

RETURN_PLACES = ("湖北孝感", "湖北黄冈", "黑龙江哈尔滨", "山东烟台", "吉林长春", "河南信阳")
REGIONS = ("210204", "210203", "210211", "210202", "210212", "210281")
FEVER_THRESHOLD = Decimal("37.3")


def _person_id(rng: random.Random, serial: int) -> str:
    born = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 37))
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_check_character(first17)


def build_employee_tests(
    *,
    enterprises: Sequence,
    days: int = 14,
    per_enterprise: int = 300,
    today: datetime.date | None = None,
    seed: int = 2020,
    liaison_day_open: bool = True,
) -> int:
    """Employees and `days` days of reports up to today for each essential enterprise;
    returns the number of rows written. The first enterprise's today stays unreported
    when `liaison_day_open` (its liaison reports it)."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    now = timezone.now()
    surnames = [name for name, _weight in SURNAMES]
    given = [c for c in (_MALE + _FEMALE) if not c.isspace()]
    employees: list[Employee] = []
    seen: set[str] = set()
    for number, enterprise in enumerate(enterprises):
        for n in range(per_enterprise):
            id_number = _person_id(rng, number * 1000 + n)
            while id_number in seen:
                id_number = _person_id(rng, number * 1000 + n + rng.randrange(1000))
            seen.add(id_number)
            returned = rng.random() < 0.05
            employees.append(
                Employee(
                    enterprise=enterprise,
                    name=rng.choice(surnames) + "".join(rng.choices(given, k=rng.choice((1, 2)))),
                    id_number=id_number,
                    phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                    origin=EmployeeOrigin.RETURNED if returned else EmployeeOrigin.LOCAL,
                    returned_from=rng.choice(RETURN_PLACES) if returned else "",
                    returned_on=today - datetime.timedelta(days=rng.randrange(15, 40))
                    if returned
                    else None,
                )
            )
    Employee.objects.bulk_create(employees, batch_size=1000)
    staff: dict[int, list[Employee]] = {}
    for employee in employees:
        staff.setdefault(employee.enterprise_id, []).append(employee)

    reports, tests = [], []
    for number, enterprise in enumerate(enterprises):
        for offset in range(days - 1, -1, -1):
            day = today - datetime.timedelta(days=offset)
            if offset == 0 and number == 0 and liaison_day_open:
                continue
            if offset == 0 and number % 3 == 2:
                continue  # not reported yet today: the station's 催报 list has work
            submitted = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(8, rng.randrange(60))),
                timezone.get_current_timezone(),
            )
            report = DailyTestReport(
                enterprise=enterprise,
                day=day,
                source=ReportSource.FORM if rng.random() < 0.7 else ReportSource.IMPORT,
                submitted_at=min(submitted, now),
            )
            present = [e for e in staff[enterprise.pk] if rng.random() < 0.97]
            for employee in present:
                temperature = Decimal(rng.choice(("36.2", "36.4", "36.5", "36.6", "36.7", "36.8")))
                if rng.random() < 0.0015:
                    temperature = Decimal(rng.choice(("37.4", "37.6", "38.1")))
                tests.append(
                    EmployeeTest(
                        enterprise=enterprise,
                        report=report,
                        employee=employee,
                        day=day,
                        temperature=temperature,
                        result=TestResult.NEGATIVE,
                        recorded_at=report.submitted_at,
                    )
                )
                report.reported += 1
                report.fevers += temperature >= FEVER_THRESHOLD
            reports.append(report)
    DailyTestReport.objects.bulk_create(reports, batch_size=1000)
    for test in tests:
        test.report_id = test.report.pk
    EmployeeTest.objects.bulk_create(tests, batch_size=2000)
    return len(employees) + len(reports) + len(tests)
