"""Reads of the employees' daily tests, always scoped (a liaison: its own enterprise)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from outpost.enterprises.choices import EnterpriseStatus
from outpost.enterprises.models import Enterprise
from outpost.enterprises.models.employees import (
    DailyTestReport,
    Employee,
    EmployeeTest,
    TestReminder,
)
from outpost.enterprises.scoping import enterprises_for

TREND_DAYS = 30


def reporting_enterprises(*, user) -> QuerySet[Enterprise]:
    """The enterprises required to report their employees' tests every day: the essential
    ones at work (open or resumed) that the user may see."""
    return (
        enterprises_for(user).filter(is_essential=True).exclude(status=EnterpriseStatus.SUSPENDED)
    )


def unreported_enterprises(*, user, day: datetime.date) -> QuerySet[Enterprise]:
    """Essential enterprises without a report of `day` (催报), with the day's reminders
    (how many, the last one) and their liaisons; the one row set the page, its count on
    the home page and the API read."""
    reports = DailyTestReport.objects.filter(enterprise=OuterRef("pk"), day=day)
    reminders = TestReminder.objects.filter(enterprise=OuterRef("pk"), day=day).order_by()
    return (
        reporting_enterprises(user=user)
        .filter(~Exists(reports))
        .annotate(
            reminders_today=Subquery(
                reminders.values("enterprise").annotate(n=Count("pk")).values("n")[:1]
            ),
            last_reminder_at=Subquery(
                reminders.values("enterprise").annotate(last=Max("sent_at")).values("last")[:1]
            ),
        )
        .select_related("unit")
        .order_by("name", "pk")
    )


def day_reports(*, user, day: datetime.date) -> QuerySet[DailyTestReport]:
    """The reports of `day` of the enterprises the user may see, fevers and positives first."""
    return (
        DailyTestReport.objects.visible_to(user)
        .filter(day=day)
        .select_related("enterprise__unit")
        .order_by("-positives", "-fevers", "enterprise__name", "pk")
    )


def enterprise_trend(
    *, enterprise: Enterprise, end: datetime.date, days: int = TREND_DAYS
) -> list[dict]:
    """One entry per day of the `days` up to `end`, oldest first: reported, fevers,
    positives (zero and ``sent`` False for a day without a report). The caller looked the
    enterprise up within the user's scope."""
    start = end - datetime.timedelta(days=days - 1)
    rows = {
        row["day"]: row
        for row in DailyTestReport.objects.filter(
            enterprise=enterprise, day__gte=start, day__lte=end
        ).values("day", "reported", "fevers", "positives", "submitted_at", "source")
    }
    trend = []
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        row = rows.get(day)
        trend.append(
            {
                "day": day,
                "sent": row is not None,
                "reported": row["reported"] if row else 0,
                "fevers": row["fevers"] if row else 0,
                "positives": row["positives"] if row else 0,
                "submitted_at": row["submitted_at"] if row else None,
                "source": row["source"] if row else "",
            }
        )
    return trend


def enterprise_employees(*, user, enterprise: Enterprise, active: bool | None = True):
    employees = Employee.objects.visible_to(user).filter(enterprise=enterprise)
    if active is not None:
        employees = employees.filter(is_active=active)
    return employees.order_by("name", "pk")


def employee_tests(*, user, employee: Employee, limit: int = 30) -> list[EmployeeTest]:
    return list(
        EmployeeTest.objects.visible_to(user)
        .filter(employee=employee)
        .select_related("alert")
        .order_by("-day")[:limit]
    )


def day_tests_of(*, enterprise: Enterprise, day: datetime.date) -> dict[int, EmployeeTest]:
    """The tests already reported for `day`, by employee (the form shows them again)."""
    return {
        test.employee_id: test
        for test in EmployeeTest.objects.filter(enterprise=enterprise, day=day).only(
            "employee_id", "temperature", "result", "alert_id"
        )
    }


def today() -> datetime.date:
    return timezone.localdate()
