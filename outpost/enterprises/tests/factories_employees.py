"""Factories of the employees' daily tests, and their part of the route walks."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from outpost.core.validators import id_check_character
from outpost.enterprises.choices_employees import EmployeeOrigin, ReportSource
from outpost.enterprises.models.employees import DailyTestReport, Employee


def id_number(n: int, birth: str = "19850101", region: str = "210204") -> str:
    """A valid resident ID number numbered `n` (its sequence part)."""
    first17 = f"{region}{birth}{n % 1000:03d}"
    return first17 + id_check_character(first17)


class EmployeeFactory(factory.django.DjangoModelFactory):
    """A local employee (pass ``enterprise=``)."""

    class Meta:
        model = Employee

    name = factory.Sequence(lambda n: f"员工{n}")
    id_number = factory.Sequence(lambda n: id_number(n, birth=f"19{70 + n // 1000 % 30}0101"))
    phone = factory.Sequence(lambda n: f"1380000{n % 10000:04d}")
    origin = EmployeeOrigin.LOCAL


def essential_enterprise(grid, employees: int = 0):
    """An essential producer in `grid` with `employees` employees."""
    from outpost.enterprises.tests.factories import EnterpriseFactory  # it imports this module

    enterprise = EnterpriseFactory(unit=grid, is_essential=True)
    for _n in range(employees):
        EmployeeFactory(enterprise=enterprise)
    return enterprise


def daily_report(enterprise, day: datetime.date | None = None, **counts) -> DailyTestReport:
    return DailyTestReport.objects.create(
        enterprise=enterprise,
        day=day or timezone.localdate(),
        source=ReportSource.FORM,
        submitted_at=timezone.now(),
        **counts,
    )


def employee_in(grid) -> Employee:
    from outpost.enterprises.tests.factories import EnterpriseFactory

    return EmployeeFactory(enterprise=EnterpriseFactory(unit=grid))


SCOPED_FACTORIES = {Employee: employee_in}
ROUTE_FACTORIES = {
    # Only essential enterprises are asked to report; one with an employee to report on.
    "enterprise_tests:unreported": essential_enterprise,
    "enterprise_tests:remind": essential_enterprise,
    "GET /api/v1/enterprises/tests/unreported": essential_enterprise,
    "POST /api/v1/enterprises/tests/{enterprise_id}/tests": lambda grid: essential_enterprise(
        grid, employees=1
    ),
}
WRITE_PAYLOADS = {
    "POST /api/v1/enterprises/tests/{enterprise_id}/employees": lambda _enterprise: {
        "name": "王新",
        "id_number": id_number(999, birth="19900505"),
    },
    "POST /api/v1/enterprises/tests/{enterprise_id}/tests": lambda enterprise: {
        "day": timezone.localdate().isoformat(),
        "tests": [
            {"employee_id": employee_id, "temperature": "36.6"}
            for employee_id in Employee.objects.filter(enterprise=enterprise).values_list(
                "pk", flat=True
            )
        ],
    },
}
