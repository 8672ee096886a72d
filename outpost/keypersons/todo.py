"""Key persons' lines of the home page's to-do list (今日待办): a worker's own key persons
overdue or due for a contact today (My key persons with ?contact=), and for officers and
cadres the overdue contacts of their area (the Overdue contacts list)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TODO_OVERDUE, TodoLine, TodoSource, todo_line
from outpost.keypersons.selectors import (
    CONTACT_DUE_TODAY,
    CONTACT_OVERDUE,
    my_key_persons_by_contact,
    overdue_key_persons,
)


def own_contact_lines(*, user) -> list[TodoLine]:
    mine = reverse("keypersons:mine")

    def rows(contact):
        return my_key_persons_by_contact(user=user, worker=user, contact=contact).order_by()

    return [
        todo_line(
            _("My key persons overdue for a contact"),
            rows(CONTACT_OVERDUE),
            f"{mine}?contact={CONTACT_OVERDUE}",
            urgency=TODO_OVERDUE,
        ),
        todo_line(
            _("My key persons to contact today"),
            rows(CONTACT_DUE_TODAY),
            f"{mine}?contact={CONTACT_DUE_TODAY}",
            urgency=TODO_DUE,
        ),
    ]


def area_overdue_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Overdue contacts in my area"),
            overdue_key_persons(user=user).order_by(),
            reverse("keypersons:overdue"),
            urgency=TODO_OVERDUE,
        )
    ]


TODO_SOURCES = [
    TodoSource(
        "keypersons.own_contacts",
        frozenset({Role.GRID_WORKER}),
        ("keypersons.add_contactentry", "keypersons.view_keyperson"),
        own_contact_lines,
        order=20,
    ),
    TodoSource(
        "keypersons.area_overdue",
        frozenset({Role.POLICE_OFFICER, Role.COMMUNITY_CADRE, Role.AUXILIARY_POLICE}),
        ("keypersons.view_contactentry", "keypersons.view_keyperson"),
        area_overdue_lines,
        order=40,
    ),
]
