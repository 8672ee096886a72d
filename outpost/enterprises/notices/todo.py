"""Notices' lines of the home page's to-do list (今日待办): for a liaison the notices its
enterprise has still to confirm; for an officer the phone calls the escalation ladder gave
them. Each counts the rows of the list it opens."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TODO_OVERDUE, TodoLine, TodoSource, todo_line
from outpost.enterprises.notices import selectors


def liaison_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Notices to confirm"),
            selectors.notice_list(user=user, receipts=selectors.UNCONFIRMED).order_by(),
            reverse("enterprise_notices:list") + f"?receipts={selectors.UNCONFIRMED}",
            urgency=TODO_DUE,
        )
    ]


def officer_call_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Enterprises to phone about an unconfirmed notice"),
            selectors.calls(user=user, mine=True).order_by(),
            reverse("enterprise_notices:calls") + "?mine=1",
            urgency=TODO_OVERDUE,
        )
    ]


TODO_SOURCES = [
    TodoSource(
        "enterprises.notices_to_confirm",
        frozenset({Role.ENTERPRISE_LIAISON}),
        ("enterprises.view_notice", "enterprises.view_noticereceipt"),
        liaison_lines,
        order=15,
    ),
    TodoSource(
        "enterprises.notice_calls",
        frozenset({Role.POLICE_OFFICER}),
        ("enterprises.view_noticereceipt", "enterprises.change_noticereceipt"),
        officer_call_lines,
        order=45,
    ),
]
