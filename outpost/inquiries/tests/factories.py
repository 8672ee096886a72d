"""Questions and FAQ entries for tests and the project's walks."""

from __future__ import annotations

import itertools
import secrets

from django.contrib.auth.models import User
from django.utils import timezone

from outpost.inquiries import search
from outpost.inquiries.choices import Channel, FaqCategory, FaqStatus
from outpost.inquiries.models import FaqEntry, Question
from outpost.inquiries.services import answer_due, token_hash

_numbers = itertools.count(1)


def question_make(
    *, unit, text: str = "", phone: str = "", now=None, **fields
) -> tuple[Question, str]:
    """A question with its private link's token, indexed for search."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    question = Question.objects.create(
        unit=unit,
        channel=fields.pop("channel", Channel.PHONE),
        text=text or f"{unit.name}居家隔离期间能否取快递？第{next(_numbers)}问",
        phone=phone,
        token_hash=token_hash(token),
        received_at=now,
        due_at=fields.pop("due_at", answer_due(now, "normal")),
        **fields,
    )
    search.index_question(question)
    return question, token


def faq_make(
    *, unit, question: str = "", answer: str = "", status=FaqStatus.PUBLISHED, **fields
) -> FaqEntry:
    author = fields.pop("proposed_by", None) or User.objects.create_user(
        username=f"faq-author-{next(_numbers)}"
    )
    entry = FaqEntry.objects.create(
        unit=unit,
        category=fields.pop("category", FaqCategory.ISOLATION),
        question=question or f"居家隔离期间能否取快递（{next(_numbers)}）",
        answer=answer or "居家隔离期间请勿外出，快递由网格员代为放在门口。",
        status=status,
        proposed_by=author,
        proposed_at=timezone.now(),
        **fields,
    )
    search.index_faq(entry)
    return entry


def question_in(grid) -> Question:
    return question_make(unit=grid)[0]


SCOPED_FACTORIES = {
    Question: question_in,
    FaqEntry: lambda grid: faq_make(unit=grid),
}

WRITE_PAYLOADS = {
    "POST /api/v1/inquiries/questions/{question_id}/answer": lambda question: {
        "answer": "请按社区通知执行。",
        "send_sms": False,
    },
    "POST /api/v1/inquiries/questions/{question_id}/hand-off": lambda question: {
        "department": "区卫健局",
    },
}
