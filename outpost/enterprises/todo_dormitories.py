"""Dormitory lines of the home page's to-do list (今日待办): for officers the requests
waiting for a room (the request list, waiting) and the stays starting today (the guests
list, today); for a liaison its guests moving in today, in its rooms and of its requests."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TodoLine, TodoSource, todo_line
from outpost.enterprises.choices_dormitories import DormitoryRequestStatus
from outpost.enterprises.selectors_dormitories import (
    MOVING_IN_TODAY,
    request_list,
    stays_starting_today,
    waiting_requests,
)


def waiting_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Dormitory requests waiting for a room"),
            waiting_requests(user=user).order_by(),
            f"{reverse('dormitories:request_list')}?status={DormitoryRequestStatus.WAITING}",
            urgency=TODO_DUE,
        )
    ]


def starting_today_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Dormitory stays starting today"),
            stays_starting_today(user=user).order_by(),
            f"{reverse('dormitories:stay_list')}?starts={MOVING_IN_TODAY}",
            urgency=TODO_DUE,
        )
    ]


def own_staff_moving_in_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Our staff moving into a dormitory today"),
            request_list(user=user, moving_in=MOVING_IN_TODAY).order_by(),
            f"{reverse('dormitories:request_list')}?moving_in={MOVING_IN_TODAY}",
            urgency=TODO_DUE,
        )
    ]


TODO_SOURCES = [
    TodoSource(
        "enterprises.dormitory_waiting",
        frozenset({Role.POLICE_OFFICER}),
        ("enterprises.view_dormitoryrequest", "enterprises.add_dormitorystay"),
        waiting_lines,
        order=55,
    ),
    TodoSource(
        "enterprises.dormitory_starting_today",
        frozenset({Role.POLICE_OFFICER, Role.ENTERPRISE_LIAISON}),
        ("enterprises.view_dormitorystay",),
        starting_today_lines,
        order=56,
    ),
    TodoSource(
        "enterprises.dormitory_own_moving_in",
        frozenset({Role.ENTERPRISE_LIAISON}),
        ("enterprises.view_dormitoryrequest",),
        own_staff_moving_in_lines,
        order=57,
    ),
]
