"""Public order on the home page's to-do list (今日待办): an officer's follow-up
inspections (red when overdue, amber when due today), and for a route's leader the patrols
late, skipped or short of their threshold that nobody has acknowledged yet."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TODO_OVERDUE, TodoLine, TodoSource, todo_line
from outpost.publicorder.selectors import follow_ups_due, patrol_exceptions_for_leader


def follow_up_lines(*, user) -> list[TodoLine]:
    due = follow_ups_due(user=user).order_by()
    if not due.exists():
        return []
    today = timezone.localdate()
    overdue = due.filter(due_on__lt=today).exists()
    return [
        todo_line(
            _("Follow-up inspections"),
            due,
            reverse("publicorder:follow_ups") + "?mine=1",
            urgency=TODO_OVERDUE if overdue else TODO_DUE,
        )
    ]


def patrol_lines(*, user) -> list[TodoLine]:
    exceptions = patrol_exceptions_for_leader(user=user).order_by()
    if not exceptions.exists():
        return []
    return [
        todo_line(
            _("Patrols late, skipped or incomplete"),
            exceptions,
            reverse("publicorder:patrol_exceptions") + "?mine=1",
            urgency=TODO_OVERDUE,
        )
    ]


TODO_SOURCES = [
    TodoSource(
        "publicorder.follow_ups",
        frozenset({Role.POLICE_OFFICER, Role.AUXILIARY_POLICE}),
        ("publicorder.add_inspection",),
        follow_up_lines,
        order=50,
    ),
    TodoSource(
        "publicorder.patrol_exceptions",
        frozenset({Role.STATION_LEADER, Role.POLICE_OFFICER, Role.AUXILIARY_POLICE}),
        ("publicorder.change_patrol",),
        patrol_lines,
        order=51,
    ),
]
