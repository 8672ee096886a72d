"""Requests' lines of the home page's to-do list (今日待办): an officer's own overdue
requests and the requests of their area waiting for an officer; a leader's overdue
requests; a liaison's answers waiting for its confirmation. Each line counts the rows of
the request list its link opens (the same selector)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TODO_OVERDUE, TodoLine, TodoSource, todo_line
from outpost.enterprises.supplies.choices import RequestStatus
from outpost.enterprises.supplies.selectors import STATUS_OVERDUE, request_list

VIEW = "enterprises.view_enterpriserequest"


def _rows(user, **filters):
    return request_list(user=user, **filters).order_by()


def officer_lines(*, user) -> list[TodoLine]:
    url = reverse("supplies:request_list")
    return [
        todo_line(
            _("My enterprise requests overdue"),
            _rows(user, status=STATUS_OVERDUE, mine=True),
            f"{url}?status={STATUS_OVERDUE}&mine=1",
            urgency=TODO_OVERDUE,
        ),
        todo_line(
            _("Enterprise requests waiting for an officer"),
            _rows(user, status=RequestStatus.OPEN),
            f"{url}?status={RequestStatus.OPEN}&sort=age",
            urgency=TODO_DUE,
        ),
    ]


def leader_lines(*, user) -> list[TodoLine]:
    url = reverse("supplies:request_list")
    return [
        todo_line(
            _("Enterprise requests overdue"),
            _rows(user, status=STATUS_OVERDUE),
            f"{url}?status={STATUS_OVERDUE}&sort=age",
            urgency=TODO_OVERDUE,
        )
    ]


def liaison_lines(*, user) -> list[TodoLine]:
    url = reverse("supplies:request_list")
    return [
        todo_line(
            _("Answers to our requests waiting for confirmation"),
            _rows(user, status=RequestStatus.CLOSED),
            f"{url}?status={RequestStatus.CLOSED}",
            urgency=TODO_DUE,
        )
    ]


TODO_SOURCES = [
    TodoSource(
        "enterprises.requests_officer",
        frozenset({Role.POLICE_OFFICER}),
        (VIEW, "enterprises.change_enterpriserequest"),
        officer_lines,
        order=45,
    ),
    TodoSource(
        "enterprises.requests_leader",
        frozenset({Role.STATION_LEADER}),
        (VIEW,),
        leader_lines,
        order=45,
    ),
    TodoSource(
        "enterprises.requests_liaison",
        frozenset({Role.ENTERPRISE_LIAISON}),
        (VIEW, "enterprises.confirm_enterpriserequest"),
        liaison_lines,
        order=45,
    ),
]
