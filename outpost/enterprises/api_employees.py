"""The employees' daily tests in the JSON API, under /api/v1/enterprises/tests/: the
essential enterprises that have not reported a day, an enterprise's trend, its employees
(masked) and the day's tests. Scoped like the pages: a liaison sees its own enterprise."""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import paginate

from outpost.core.api_support import (
    ApiRouter,
    Code,
    Line,
    Name,
    Pagination,
    api_get_visible,
    scoped_route,
)
from outpost.enterprises import selectors_employees as selectors
from outpost.enterprises.choices_employees import EmployeeOrigin, ReportSource, TestResult
from outpost.enterprises.models import Enterprise
from outpost.enterprises.models.employees import Employee
from outpost.enterprises.services_employees import TestEntry, day_tests_report, employee_add

router = ApiRouter(tags=["enterprises"])


class UnreportedOut(Schema):
    id: int
    name: str
    unit_name: str
    reminders_today: int
    last_reminder_at: datetime | None

    @staticmethod
    def resolve_unit_name(obj: Enterprise) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_reminders_today(obj: Enterprise) -> int:
        return obj.reminders_today or 0


class TrendDayOut(Schema):
    day: date
    sent: bool
    reported: int
    fevers: int
    positives: int


class TrendOut(Schema):
    enterprise_id: int
    days: list[TrendDayOut]


class EmployeeOut(Schema):
    id: int
    enterprise_id: int
    name: str
    id_number_masked: str
    phone_masked: str
    origin: str
    returned_from: str
    returned_on: date | None
    is_active: bool
    key_person_id: int | None

    @staticmethod
    def resolve_id_number_masked(obj: Employee) -> str:
        return obj.masked_id_number

    @staticmethod
    def resolve_phone_masked(obj: Employee) -> str:
        return obj.masked_phone


class EmployeeIn(Schema):
    name: Name
    id_number: Code
    phone: Code = ""
    origin: Code = EmployeeOrigin.LOCAL
    returned_from: Line = ""
    returned_on: date | None = None


class TestIn(Schema):
    employee_id: int
    temperature: float = Field(description="°C with one decimal, 34.0–43.0")
    result: Code = TestResult.NEGATIVE


class DayTestsIn(Schema):
    day: date
    tests: list[TestIn] = Field(..., max_length=5000)


class DayReportOut(Schema):
    enterprise_id: int
    day: date
    reported: int
    fevers: int
    positives: int
    source: str
    submitted_at: datetime


@router.get("/unreported", response=list[UnreportedOut], openapi_extra=scoped_route(Enterprise))
@paginate(Pagination)
def unreported_list(request: HttpRequest, day: date | None = None):
    """Essential enterprises that have not reported the tests of `day` (default today),
    with the day's reminders (催报)."""
    return selectors.unreported_enterprises(user=request.auth, day=day or selectors.today())


@router.get("/{enterprise_id}/trend", response=TrendOut, openapi_extra=scoped_route(Enterprise))
def enterprise_trend(request: HttpRequest, enterprise_id: int, days: int = 30):
    """Reported, fevers and positives per day of the last `days` days (1–366), oldest first."""
    days = min(max(days, 1), 366)
    enterprise = api_get_visible(request, Enterprise, enterprise_id)
    trend = selectors.enterprise_trend(enterprise=enterprise, end=selectors.today(), days=days)
    return {"enterprise_id": enterprise.pk, "days": trend}


@router.get(
    "/{enterprise_id}/employees",
    response=list[EmployeeOut],
    openapi_extra=scoped_route(Enterprise),
)
@paginate(Pagination)
def employee_list(request: HttpRequest, enterprise_id: int, active: bool | None = True):
    """The enterprise's employees, numbers masked."""
    enterprise = api_get_visible(request, Enterprise, enterprise_id)
    return selectors.enterprise_employees(user=request.auth, enterprise=enterprise, active=active)


@router.post(
    "/{enterprise_id}/employees",
    response={201: EmployeeOut},
    openapi_extra=scoped_route(Enterprise),
)
def employee_new(request: HttpRequest, enterprise_id: int, payload: EmployeeIn):
    """Put an employee on the list; a wrong ID number or one already listed is a 422."""
    enterprise = api_get_visible(request, Enterprise, enterprise_id)
    employee = employee_add(acting_user=request.auth, enterprise=enterprise, **payload.dict())
    return 201, employee


@router.get("/employees/{employee_id}", response=EmployeeOut, openapi_extra=scoped_route(Employee))
def employee_detail(request: HttpRequest, employee_id: int):
    return api_get_visible(request, Employee, employee_id)


@router.post(
    "/{enterprise_id}/tests", response=DayReportOut, openapi_extra=scoped_route(Enterprise)
)
def day_tests(request: HttpRequest, enterprise_id: int, payload: DayTestsIn):
    """Report the tests of a day, all or nothing (a day in the future, an employee not on
    the list, a reading outside 34–43 °C: a 422 naming it). A fever or a positive result
    raises an alert in the observation flow."""
    enterprise = api_get_visible(request, Enterprise, enterprise_id)
    report = day_tests_report(
        acting_user=request.auth,
        enterprise=enterprise,
        day=payload.day,
        entries=[
            TestEntry(
                employee_id=test.employee_id,
                temperature=test.temperature,
                result=test.result,
                label=f"tests.{index}",
            )
            for index, test in enumerate(payload.tests)
        ],
        source=ReportSource.API,
    )
    return report
