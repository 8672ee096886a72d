"""Cases' lines of the home page's to-do list: disposal requests of colleagues waiting for
the officer's approval (a second officer approves), and open cases past their handling
deadline (date engine). Each counts the rows of the list its link opens."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.cases import dates, selectors
from outpost.cases.choices import OPEN_STATES
from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TODO_OVERDUE, TodoLine, TodoSource, todo_line


def overdue_cases(*, user):
    """Open cases whose 30 days (inclusive) ended before today."""
    oldest_in_time = timezone.localdate() - datetime.timedelta(days=dates.CASE_HANDLING_DAYS - 1)
    return selectors.case_list(user=user).filter(
        state__in=OPEN_STATES, occurred_on__lt=oldest_in_time
    )


def officer_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Disposals of seized items waiting for your approval"),
            selectors.pending_disposals(user=user).order_by(),
            reverse("cases:disposal_list"),
            urgency=TODO_DUE,
        ),
        todo_line(
            _("Cases past their handling deadline"),
            overdue_cases(user=user).order_by(),
            f"{reverse('cases:list')}?overdue=1",
            urgency=TODO_OVERDUE,
        ),
    ]


TODO_SOURCES = [
    TodoSource(
        "cases.officer",
        frozenset({Role.POLICE_OFFICER}),
        ("cases.view_case", "cases.change_disposalrequest"),
        officer_lines,
        order=60,
    ),
]
