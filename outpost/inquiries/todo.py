"""The questions' lines of the home page's to-do list (今日待办): questions past their
deadline, and those waiting for an answer; for an officer, FAQ entries to review (new or
stale). Each counts the rows of the list it opens."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TODO_OVERDUE, TodoLine, TodoSource, todo_line
from outpost.inquiries import selectors
from outpost.inquiries.choices import FaqStatus


def question_lines(*, user) -> list[TodoLine]:
    now = timezone.now()
    return [
        todo_line(
            _("Questions past their deadline"),
            selectors.question_queue(user=user, view=selectors.OVERDUE, now=now).order_by(),
            reverse("inquiries:queue") + f"?view={selectors.OVERDUE}",
            urgency=TODO_OVERDUE,
        ),
        todo_line(
            _("Questions to answer"),
            selectors.question_queue(user=user, view=selectors.OPEN, now=now).order_by(),
            reverse("inquiries:queue"),
            urgency=TODO_DUE,
        ),
    ]


def review_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("FAQ entries to review"),
            selectors.faq_list(user=user, status=FaqStatus.PENDING).order_by(),
            reverse("inquiries:faq_list") + f"?status={FaqStatus.PENDING}",
            urgency=TODO_DUE,
        ),
        todo_line(
            _("Stale FAQ entries (their notice was replaced)"),
            selectors.faq_list(user=user, status=FaqStatus.STALE).order_by(),
            reverse("inquiries:faq_list") + f"?status={FaqStatus.STALE}",
            urgency=TODO_OVERDUE,
        ),
    ]


TODO_SOURCES = [
    TodoSource(
        "inquiries.questions",
        frozenset({Role.COMMUNITY_CADRE, Role.POLICE_OFFICER, Role.AUXILIARY_POLICE}),
        ("inquiries.view_question", "inquiries.change_question"),
        question_lines,
        order=50,
    ),
    TodoSource(
        "inquiries.faq_review",
        frozenset({Role.POLICE_OFFICER}),
        ("inquiries.view_faqentry", "inquiries.review_faqentry"),
        review_lines,
        order=55,
    ),
]
