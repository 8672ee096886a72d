"""Dispatch's lines of the home page's to-do list (今日待办): the open order items assigned to
the user (an officer's routed items, a grid worker's door checks an officer handed them) past
their deadline, due later today, and all open (My order items, ?show=)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TODO_NORMAL, TODO_OVERDUE, TodoLine, TodoSource, todo_line
from outpost.dispatch.selectors import my_items


def own_item_lines(*, user) -> list[TodoLine]:
    url = reverse("dispatch:my_items")
    shown = (
        ("overdue", _("My order items past their deadline"), TODO_OVERDUE),
        ("today", _("My order items due today"), TODO_DUE),
        ("open", _("My open order items"), TODO_NORMAL),
    )
    return [
        todo_line(label, my_items(user=user, show=show).order_by(), f"{url}?show={show}", urgency=u)
        for show, label, u in shown
    ]


TODO_SOURCES = [
    TodoSource(
        "dispatch.own_items",
        frozenset({Role.POLICE_OFFICER, Role.GRID_WORKER}),
        ("dispatch.change_dispatchitem",),
        own_item_lines,
        order=30,
    )
]
