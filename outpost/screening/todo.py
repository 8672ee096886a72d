"""Screening's lines of the home page's to-do list (今日待办) for officers: the review queue
(one line per item it shows: a feed identity of a run with its candidates) and the
concealed-travel discrepancies still to verify."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TodoLine, TodoSource, todo_line
from outpost.screening.selectors import review_results, travel_discrepancy_list


def review_items(*, user) -> QuerySet:
    """The items of the review queue: its rows grouped by run and feed identity."""
    return review_results(user=user).order_by().values_list("run_id", "identity_key").distinct()


def officer_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Matches to review"),
            review_items(user=user),
            reverse("screening:review_list"),
            urgency=TODO_DUE,
        ),
        todo_line(
            _("Travel discrepancies to verify"),
            travel_discrepancy_list(user=user, status="open").order_by(),
            reverse("screening:discrepancy_list") + "?status=open",
            urgency=TODO_DUE,
        ),
    ]


TODO_SOURCES = [
    TodoSource(
        "screening.review_and_discrepancies",
        frozenset({Role.POLICE_OFFICER}),
        (
            "screening.view_screeningresult",
            "screening.add_matchdecision",
            "screening.view_traveldiscrepancy",
        ),
        officer_lines,
        order=32,
    )
]
