"""Reads of the questions and answers: the queue, the private link, suggestions and
duplicates, the public FAQ, and the figures (one definition per figure, whose rows are
the list under it: DESIGN rule 7)."""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from outpost.core.scoping import lineage_paths
from outpost.inquiries import search
from outpost.inquiries.choices import FaqStatus, QuestionStatus
from outpost.inquiries.models import FaqEntry, InquiryTerm, Question
from outpost.inquiries.services import token_hash

# The queue's views.
OPEN, OVERDUE, HANDED_OFF, ANSWERED, ALL = "open", "overdue", "handed_off", "answered", "all"
QUEUE_VIEWS = (OPEN, OVERDUE, HANDED_OFF, ANSWERED, ALL)
# How far back a question counts as a likely duplicate of a new one, and how alike.
DUPLICATE_DAYS = 7
DUPLICATE_SCORE = 0.5


def question_queue(*, user, view: str = OPEN, unit=None, now=None) -> QuerySet:
    """The questions the user sees, by the queue's view: to answer (deadline first),
    overdue, handed off, answered (latest first), or all."""
    now = now or timezone.now()
    questions = Question.objects.visible_to(user).select_related("unit")
    if unit is not None:
        questions = questions.within(unit)
    if view == OPEN:
        return questions.filter(status=QuestionStatus.OPEN).order_by("due_at", "pk")
    if view == OVERDUE:
        return overdue(questions, now).order_by("due_at", "pk")
    if view == HANDED_OFF:
        return questions.filter(status=QuestionStatus.HANDED_OFF).order_by("-handed_at", "-pk")
    if view == ANSWERED:
        return questions.filter(status=QuestionStatus.ANSWERED).order_by("-answered_at", "-pk")
    return questions.order_by("-received_at", "-pk")


def overdue(questions: QuerySet, now) -> QuerySet:
    """Waiting for an answer past their deadline."""
    return questions.filter(status=QuestionStatus.OPEN, due_at__lt=now)


def question_by_token(token: str) -> Question | None:
    """The question of a private link (no account), or None."""
    if not token or len(token) > 100:
        return None
    return Question.objects.select_related("unit").filter(token_hash=token_hash(token)).first()


def faq_public(*, unit, query: str = "") -> list[FaqEntry]:
    """The published FAQ of a unit's public page: its own entries and its ancestors'; the
    entries most like `query` first when one is given."""
    entries = FaqEntry.objects.filter(
        status=FaqStatus.PUBLISHED, unit__path__in=lineage_paths(unit.path)
    ).select_related("notice")
    if query.strip():
        return [hit.record for hit in search.search_faq(query, entries, limit=20, minimum=0.05)]
    return list(entries.order_by("category", "-times_used", "-pk"))


@dataclass
class Suggestions:
    faq: list = field(default_factory=list)
    answers: list = field(default_factory=list)


def suggestions(*, user, question: Question, text: str) -> Suggestions:
    """While staff type an answer: the published FAQ entries (of the question's unit and
    above) and the earlier answers (that the user sees) most like the question and the
    text typed so far."""
    query = f"{question.text} {text}".strip()
    entries = FaqEntry.objects.filter(
        status=FaqStatus.PUBLISHED, unit__path__in=lineage_paths(question.unit.path)
    ).select_related("notice")
    answered = (
        Question.objects.visible_to(user)
        .filter(status=QuestionStatus.ANSWERED)
        .exclude(pk=question.pk)
    )
    return Suggestions(
        faq=search.search_faq(query, entries, limit=3),
        answers=search.search_questions(query, answered, limit=3),
    )


def duplicates(*, user, unit, text: str, now=None, exclude_pk=None) -> list[search.Hit]:
    """Likely duplicates of a question about to be filed: the unit's questions of the last
    days that are much alike."""
    now = now or timezone.now()
    recent = (
        Question.objects.visible_to(user)
        .within(unit)
        .filter(received_at__gte=now - datetime.timedelta(days=DUPLICATE_DAYS))
    )
    if exclude_pk:
        recent = recent.exclude(pk=exclude_pk)
    return search.search_questions(text, recent, limit=3, minimum=DUPLICATE_SCORE)


def faq_list(*, user, status: str = "") -> QuerySet:
    entries = FaqEntry.objects.visible_to(user).select_related("unit", "notice", "stale_notice")
    if status:
        entries = entries.filter(status=status)
    return entries.order_by("status", "category", "-pk")


# ---------------------------------------------------------------------------- figures

RECEIVED, ANSWERED_FIGURE, OVERDUE_FIGURE = "received", "answered", "overdue"
FIGURES = (RECEIVED, ANSWERED_FIGURE, OVERDUE_FIGURE)


def _day_range(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def figure_questions(
    *, user, figure: str, day: datetime.date, unit=None, channel: str = "", now=None
) -> QuerySet:
    """The questions one figure counts on one day (China time): the list under the figure."""
    now = now or timezone.now()
    start, end = _day_range(day)
    return _figure_rows(user, figure, start, end, now, unit, channel)


def _figure_rows(user, figure, start, end, now, unit=None, channel="") -> QuerySet:
    questions = Question.objects.visible_to(user)
    if unit is not None:
        questions = questions.within(unit)
    if channel:
        questions = questions.filter(channel=channel)
    if figure == RECEIVED:
        return questions.filter(received_at__gte=start, received_at__lt=end)
    if figure == ANSWERED_FIGURE:
        return questions.filter(answered_at__gte=start, answered_at__lt=end)
    if figure == OVERDUE_FIGURE:
        cutoff = min(end, now)
        late = questions.filter(due_at__gte=start, due_at__lt=cutoff).filter(
            Q(answered_at__isnull=True) | Q(answered_at__gt=F("due_at"))
        )
        return late.exclude(handed_at__lte=F("due_at"))
    raise ValueError(figure)


@dataclass
class FigureRow:
    day: datetime.date
    unit_id: int
    unit_name: str
    channel: str
    received: int = 0
    answered: int = 0
    overdue: int = 0
    median_minutes: float | None = None


def figures(
    *, user, first: datetime.date, last: datetime.date, unit=None, now=None
) -> list[FigureRow]:
    """Questions received, answered, overdue and the median minutes to answer (of those
    answered that day), by day, unit and channel, from `first` to `last` (China time).
    Each count is the length of `figure_questions` for its day, unit and channel."""
    now = now or timezone.now()
    start, _end = _day_range(first)
    _start, end = _day_range(last)
    rows: dict[tuple, FigureRow] = {}
    minutes: dict[tuple, list[float]] = defaultdict(list)

    def row(day, unit_id, unit_name, channel) -> FigureRow:
        key = (day, unit_id, channel)
        if key not in rows:
            rows[key] = FigureRow(day, unit_id, unit_name, channel)
        return rows[key]

    fields = ("unit_id", "unit__name", "channel", "received_at", "answered_at", "due_at")
    for figure, moment in (
        (RECEIVED, "received_at"),
        (ANSWERED_FIGURE, "answered_at"),
        (OVERDUE_FIGURE, "due_at"),
    ):
        for unit_id, unit_name, channel, received, answered, due in _figure_rows(
            user, figure, start, end, now, unit
        ).values_list(*fields):
            at = {"received_at": received, "answered_at": answered, "due_at": due}[moment]
            day = timezone.localtime(at).date()
            target = row(day, unit_id, unit_name, channel)
            setattr(target, figure, getattr(target, figure) + 1)
            if figure == ANSWERED_FIGURE:
                minutes[(day, unit_id, channel)].append((answered - received).total_seconds() / 60)
    for key, values in minutes.items():
        rows[key].median_minutes = round(statistics.median(values), 1)
    return sorted(rows.values(), key=lambda r: (r.day, r.unit_name, r.channel))


def figure_totals(*, user, day: datetime.date, unit=None, now=None) -> dict:
    """One day's totals for the dashboard and the daily report: received, answered,
    overdue, median minutes to answer, and the questions waiting now."""
    now = now or timezone.now()
    answered = list(
        figure_questions(
            user=user, figure=ANSWERED_FIGURE, day=day, unit=unit, now=now
        ).values_list("received_at", "answered_at")
    )
    waits = [(a - r).total_seconds() / 60 for r, a in answered]
    return {
        RECEIVED: figure_questions(user=user, figure=RECEIVED, day=day, unit=unit, now=now).count(),
        ANSWERED_FIGURE: len(answered),
        OVERDUE_FIGURE: figure_questions(
            user=user, figure=OVERDUE_FIGURE, day=day, unit=unit, now=now
        ).count(),
        "median_minutes": round(statistics.median(waits), 1) if waits else None,
        "waiting": question_queue(user=user, view=OPEN, unit=unit, now=now).count(),
    }


def top_topics(*, user, now=None, days: int = 7, limit: int = 10) -> list[tuple[str, int]]:
    """The most asked topics of the last `days` days: the search terms (bigrams) most
    questions share, each with how many questions have it."""
    now = now or timezone.now()
    questions = Question.objects.visible_to(user).filter(
        received_at__gte=now - datetime.timedelta(days=days)
    )
    counts = Counter(
        dict(
            InquiryTerm.objects.filter(question__in=questions.values("pk"))
            .exclude(term__regex=r"^[a-z0-9]+$")
            .values("term")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("term", "n")[: limit * 3]
        )
    )
    return [(term, n) for term, n in counts.most_common(limit) if len(term) > 1][:limit]
