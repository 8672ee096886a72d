"""People's requests on the home page's to-do list (今日待办): open requests past their
15-day deadline (red) and those due within three days (amber), for officers and
administrators."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TODO_OVERDUE, TodoLine, TodoSource, todo_line
from outpost.core.subject_requests.selectors import DUE_OVERDUE, DUE_SOON, subject_request_list


def request_lines(*, user) -> list[TodoLine]:
    url = reverse("core:subject_request_list")
    return [
        todo_line(
            _("People's requests past their deadline"),
            subject_request_list(user=user, due=DUE_OVERDUE).order_by(),
            f"{url}?due={DUE_OVERDUE}",
            urgency=TODO_OVERDUE,
        ),
        todo_line(
            _("People's requests due within 3 days"),
            subject_request_list(user=user, due=DUE_SOON).order_by(),
            f"{url}?due={DUE_SOON}",
            urgency=TODO_DUE,
        ),
    ]


TODO_SOURCES = [
    TodoSource(
        "core.subject_requests",
        frozenset({Role.POLICE_OFFICER, Role.ADMINISTRATOR}),
        ("core.view_subjectrequest",),
        request_lines,
        order=15,
    )
]
