"""Duty's line of the home page's to-do list (今日待办): a staff member's next shifts,
and for a leader the swaps waiting for approval."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TodoLine, TodoSource, todo_line
from outpost.duty import rules, selectors
from outpost.duty.choices import SwapStatus
from outpost.duty.models import SwapRequest


def next_shift_lines(*, user) -> list[TodoLine]:
    """One line naming the next shift, counting the shifts still ahead (the list of My
    shifts shows the same rows)."""
    upcoming = selectors.upcoming_shifts(user=user)
    first = upcoming.first()
    if first is None:
        return []
    label = _("My next shifts — first: %(post)s %(time)s") % {
        "post": first.post.name,
        "time": rules.span(first.starts_at, first.ends_at),
    }
    return [todo_line(label, upcoming.order_by(), reverse("duty:mine"))]


def swap_lines(*, user) -> list[TodoLine]:
    swaps = SwapRequest.objects.visible_to(user).filter(status=SwapStatus.ACCEPTED)
    return [
        todo_line(
            _("Swaps to approve"), swaps.order_by(), reverse("duty:swap_list"), urgency=TODO_DUE
        )
    ]


ROSTERED = frozenset(
    {Role.POLICE_OFFICER, Role.AUXILIARY_POLICE, Role.MEDICAL_STAFF, Role.STATION_LEADER}
)

TODO_SOURCES = [
    TodoSource("duty.next_shifts", ROSTERED, ("duty.view_shift",), next_shift_lines, order=5),
    TodoSource(
        "duty.swaps_to_approve",
        frozenset({Role.STATION_LEADER}),
        ("duty.view_swaprequest", "duty.publish_roster"),
        swap_lines,
        order=6,
    ),
]
