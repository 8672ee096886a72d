"""The employees' daily tests on the home page's to-do list (今日待办): for the liaison of
an essential enterprise, today's tests while they are not reported; for the station, the
essential enterprises that have not reported today (the 催报 list)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TodoLine, TodoSource, todo_line
from outpost.enterprises.scoping import enterprise_of_liaison
from outpost.enterprises.selectors_employees import today, unreported_enterprises


def liaison_lines(*, user) -> list[TodoLine]:
    enterprise = enterprise_of_liaison(user)
    if enterprise is None:
        return []
    return [
        todo_line(
            _("Report today's employee tests"),
            unreported_enterprises(user=user, day=today()).order_by(),
            reverse("enterprise_tests:report", args=[enterprise.pk]),
            urgency=TODO_DUE,
        )
    ]


def station_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Essential enterprises that have not reported today's tests"),
            unreported_enterprises(user=user, day=today()).order_by(),
            reverse("enterprise_tests:unreported"),
            urgency=TODO_DUE,
        )
    ]


TODO_SOURCES = [
    TodoSource(
        "enterprises.employee_tests_liaison",
        frozenset({Role.ENTERPRISE_LIAISON}),
        ("enterprises.add_employeetest",),
        liaison_lines,
        order=30,
    ),
    TodoSource(
        "enterprises.employee_tests_unreported",
        frozenset({Role.POLICE_OFFICER, Role.STATION_LEADER, Role.AUXILIARY_POLICE}),
        ("enterprises.view_dailytestreport",),
        station_lines,
        order=45,
    ),
]
