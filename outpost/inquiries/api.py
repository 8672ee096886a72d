"""Questions and answers in the JSON API (/api/v1/inquiries/…): the queue, one question,
logging and answering one, the FAQ entries and the figures. Scoped like the pages; the
phone left for the answer is masked."""

import datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from outpost.core.api_support import (
    ApiRouter,
    Code,
    Line,
    Pagination,
    api_get_visible,
    personal_data_free,
    scoped_route,
)
from outpost.core.models import Unit
from outpost.enterprises.notices.models import Notice
from outpost.inquiries import selectors, services
from outpost.inquiries.models import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH, FaqEntry, Question

router = ApiRouter(tags=["inquiries"])


class QuestionOut(Schema):
    id: int
    unit_id: int
    channel: str
    text: str
    phone: str = Field(description="The phone left for the answer, masked.")
    urgency: str
    status: str
    received_at: datetime.datetime
    due_at: datetime.datetime
    answer: str
    answered_at: datetime.datetime | None
    faq_used_id: int | None
    notice_id: int | None
    handed_to: str
    handed_at: datetime.datetime | None

    @staticmethod
    def resolve_phone(obj: Question) -> str:
        return obj.masked_phone


class QuestionIn(Schema):
    unit_id: int
    channel: Code
    # Lengths are the service's to check (a clear message naming the field).
    text: str = Field(max_length=QUESTION_MAX_LENGTH * 10)
    phone: Code = ""
    urgency: Code = "normal"


class AnswerIn(Schema):
    answer: str = Field(max_length=ANSWER_MAX_LENGTH * 10)
    faq_entry_id: int | None = None
    notice_id: int | None = None
    send_sms: bool = True


class HandOffIn(Schema):
    department: Line
    note: Line = ""


class FaqOut(Schema):
    id: int
    unit_id: int
    category: str
    question: str
    answer: str
    notice_id: int | None
    status: str
    stale_notice_id: int | None
    times_used: int


class FigureOut(Schema):
    day: datetime.date
    unit_id: int
    unit_name: str
    channel: str
    received: int
    answered: int
    overdue: int
    median_minutes: float | None


class TopicOut(Schema):
    term: str
    questions: int


@router.get("/questions", response=list[QuestionOut], openapi_extra=scoped_route(Question))
@paginate(Pagination)
def question_list(request: HttpRequest, view: Code = selectors.OPEN):
    """The queue: `view` is open (deadline first), overdue, handed_off, answered or all."""
    if view not in selectors.QUEUE_VIEWS:
        view = selectors.OPEN
    return selectors.question_queue(user=request.auth, view=view)


@router.get("/questions/{question_id}", response=QuestionOut, openapi_extra=scoped_route(Question))
def question_detail(request: HttpRequest, question_id: int):
    return api_get_visible(request, Question, question_id)


@router.post(
    "/questions",
    response={201: QuestionOut},
    openapi_extra=personal_data_free(
        "logs a question at a unit looked up in the caller's scope (404 outside); "
        "inquiries/tests/test_api.py"
    ),
)
def question_log(request: HttpRequest, payload: QuestionIn):
    """Log a question received by phone, in a chat group or at the counter."""
    unit = Unit.objects.visible_to(request.auth).filter(pk=payload.unit_id).first()
    if unit is None:
        raise Http404
    question = services.question_log(
        acting_user=request.auth,
        unit=unit,
        channel=payload.channel,
        text=payload.text,
        phone=payload.phone,
        urgency=payload.urgency,
    )
    return Status(201, question)


@router.post(
    "/questions/{question_id}/answer", response=QuestionOut, openapi_extra=scoped_route(Question)
)
def question_answer(request: HttpRequest, question_id: int, payload: AnswerIn):
    """Answer a question (SMS to the phone left when `send_sms`); an FAQ entry used and
    the notice relied on are optional."""
    question = api_get_visible(request, Question, question_id, "change")
    faq = None
    if payload.faq_entry_id is not None:
        faq = next(
            (e for e in selectors.faq_public(unit=question.unit) if e.pk == payload.faq_entry_id),
            None,
        )
        if faq is None:
            raise Http404
    notice = (
        api_get_visible(request, Notice, payload.notice_id)
        if payload.notice_id is not None
        else None
    )
    return services.question_answer(
        acting_user=request.auth,
        question=question,
        answer=payload.answer,
        faq_used=faq,
        notice=notice,
        send_sms=payload.send_sms,
    )


@router.post(
    "/questions/{question_id}/hand-off", response=QuestionOut, openapi_extra=scoped_route(Question)
)
def question_hand_off(request: HttpRequest, question_id: int, payload: HandOffIn):
    question = api_get_visible(request, Question, question_id, "change")
    return services.question_hand_off(
        acting_user=request.auth,
        question=question,
        department=payload.department,
        note=payload.note,
    )


@router.get("/faq", response=list[FaqOut], openapi_extra=scoped_route(FaqEntry))
@paginate(Pagination)
def faq_list(request: HttpRequest, status: Code = ""):
    return selectors.faq_list(user=request.auth, status=status)


@router.get(
    "/figures",
    response=list[FigureOut],
    openapi_extra=personal_data_free("counts of the caller's scope by day, unit and channel"),
)
def figures(
    request: HttpRequest, first: datetime.date | None = None, last: datetime.date | None = None
):
    """Received, answered, overdue and the median minutes to answer, by day (China time),
    unit and channel; the last 7 days by default."""
    today = timezone.localdate()
    last = last or today
    first = first or last - datetime.timedelta(days=6)
    if first > last or (last - first).days > 92:
        from django.core.exceptions import ValidationError

        raise ValidationError({"first": "first must be before last, at most 93 days apart"})
    return selectors.figures(user=request.auth, first=first, last=last)


@router.get(
    "/topics",
    response=list[TopicOut],
    openapi_extra=personal_data_free("the terms most asked about this week, with counts"),
)
def topics(request: HttpRequest):
    """The most asked topics of the last 7 days."""
    return [{"term": t, "questions": n} for t, n in selectors.top_topics(user=request.auth)]
