"""The officer's to-do line (今日待办) for records sent late from phones that need a look:
a contact logged offline after the key person was closed, an earlier account of a visit
that a later one superseded."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TodoLine, TodoSource, todo_line
from outpost.fieldwork.selectors import flagged_unseen


def flagged_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Records sent late from phones to look at"),
            flagged_unseen(user=user).order_by(),
            reverse("fieldwork:flags"),
            urgency=TODO_DUE,
        )
    ]


TODO_SOURCES = [
    TodoSource(
        "fieldwork.flagged",
        frozenset({Role.POLICE_OFFICER, Role.ADMINISTRATOR}),
        ("fieldwork.view_fieldsubmission", "fieldwork.change_fieldsubmission"),
        flagged_lines,
        order=45,
    )
]
