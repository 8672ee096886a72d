"""Core's line of the home page's to-do list (今日待办): the user's own imports waiting for
them (columns to map, ready to import, failed), the import list with ?attention=1."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.imports.steps import IMPORT_PERMISSION, imports_needing_attention
from outpost.core.shell import TODO_DUE, TodoLine, TodoSource, todo_line


def import_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("My imports needing attention"),
            imports_needing_attention(user=user).order_by(),
            reverse("core:import_list") + "?attention=1",
            urgency=TODO_DUE,
        )
    ]


TODO_SOURCES = [
    TodoSource(
        "core.imports",
        frozenset(
            {
                Role.POLICE_OFFICER,
                Role.COMMUNITY_CADRE,
                Role.AUXILIARY_POLICE,
                Role.ADMINISTRATOR,
            }
        ),
        (IMPORT_PERMISSION,),
        import_lines,
        order=80,
    )
]
