"""Writes of the questions and answers (网上答疑): one function per use case, each checking
its input, writing through the audited save and re-checking scope after staff writes.

Answers go back by SMS through notify's one outbound interface (`outbound_message_send`),
which queues the message and records its delivery state; the real SMS channels plug in
behind it.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.ratelimit import RateLimit, rate_limit_hit
from outpost.core.scoping import assert_in_scope
from outpost.core.validators import validate_mobile
from outpost.enterprises.notices.models import Notice
from outpost.inquiries import search
from outpost.inquiries.choices import Channel, FaqCategory, FaqStatus, QuestionStatus, Urgency
from outpost.inquiries.models import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH, FaqEntry, Question
from outpost.notify.choices import Channel as NotifyChannel
from outpost.notify.services import outbound_message_send

# The public page: per address (a whole chat group may share one address behind a mobile
# carrier's NAT, so not too tight) and per phone left for the answer.
PER_ADDRESS = RateLimit("inquiry-address", hits=20, seconds=600)
PER_PHONE = RateLimit("inquiry-phone", hits=5, seconds=3600)

# Hours to answer by urgency, and the day (China time) in which the clock runs for normal
# questions; settings.INQUIRY_ANSWER_HOURS / INQUIRY_DAY_HOURS override them.
ANSWER_HOURS = {Urgency.URGENT: 1, Urgency.NORMAL: 2}
DAY_HOURS = (8, 20)

# What personal data looks like in an FAQ text: a mobile number, an ID number, a landline.
PERSONAL_PATTERNS = [
    re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"),
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)\d{15}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"),
]


class TooManyQuestions(Exception):
    """The public page's rate limit refused the question."""

    def __init__(self, limit: RateLimit):
        super().__init__(limit.name)
        self.limit = limit


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def private_link(token: str) -> str:
    """The address where the asker reads the answer."""
    return settings.OUTPOST_BASE_URL + reverse("inquiries_public:answer", args=[token])


def public_page_link(unit) -> str:
    """The address of a unit's public page (its QR code says this)."""
    return settings.OUTPOST_BASE_URL + reverse("inquiries_public:ask", args=[unit.pk])


def answer_due(received_at: datetime.datetime, urgency: str) -> datetime.datetime:
    """When a question must be answered: `hours` after it came in; a normal question that
    came in at night (outside the day hours, China time) counts from the next morning."""
    hours = getattr(settings, "INQUIRY_ANSWER_HOURS", {}).get(urgency, ANSWER_HOURS[urgency])
    start, end = getattr(settings, "INQUIRY_DAY_HOURS", DAY_HOURS)
    local = timezone.localtime(received_at)
    clock = local
    if urgency != Urgency.URGENT and not start <= local.hour < end:
        morning = local.replace(hour=start, minute=0, second=0, microsecond=0)
        clock = morning if local.hour < start else morning + datetime.timedelta(days=1)
    return clock + datetime.timedelta(hours=hours)


def _clean_text(text: str, field: str, maximum: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(
            {field: _("Write the question.") if field == "text" else _("Write the answer.")}
        )
    if len(text) > maximum:
        raise ValidationError(
            {
                field: _("At most %(max)d characters (this one has %(n)d).")
                % {"max": maximum, "n": len(text)}
            }
        )
    if "\x00" in text:
        raise ValidationError({field: _("The text contains a character that cannot be stored.")})
    return text


def _clean_phone(phone: str) -> str:
    if not (phone or "").strip():
        return ""
    try:
        return validate_mobile(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None


def _question_new(*, unit, channel, text, phone, urgency, now, created_by) -> tuple[Question, str]:
    token = secrets.token_urlsafe(32)
    question = Question(
        unit=unit,
        channel=channel,
        text=text,
        phone=phone,
        urgency=urgency,
        token_hash=token_hash(token),
        received_at=now,
        due_at=answer_due(now, urgency),
        created_by=created_by,
    )
    question.full_clean(exclude=["unit", "created_by", "token_hash"])
    save_audited(question, acting_user=created_by)
    search.index_question(question)
    return question, token


def question_ask(
    *, unit, text: str, phone: str = "", address: str = "", now=None
) -> tuple[Question, str]:
    """A resident asks on the unit's public page (no account). Returns the question and the
    token of its private link (shown once; only its hash is kept).

    Refused: more than `PER_ADDRESS` questions from one address or `PER_PHONE` for one
    phone (TooManyQuestions, nothing stored); an empty or too long question, a phone that is
    not a mobile number (ValidationError naming the field)."""
    now = now or timezone.now()
    if rate_limit_hit(limit=PER_ADDRESS, key=address or "-", now=now):
        raise TooManyQuestions(PER_ADDRESS)
    errors = {}
    try:
        text = _clean_text(text, "text", QUESTION_MAX_LENGTH)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        phone = _clean_phone(phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if phone and rate_limit_hit(limit=PER_PHONE, key=token_hash(phone), now=now):
        raise TooManyQuestions(PER_PHONE)
    with transaction.atomic():
        return _question_new(
            unit=unit,
            channel=Channel.PUBLIC_PAGE,
            text=text,
            phone=phone,
            urgency=Urgency.NORMAL,
            now=now,
            created_by=None,
        )


@transaction.atomic
def question_log(
    *,
    acting_user,
    unit,
    channel: str,
    text: str,
    phone: str = "",
    urgency: str = Urgency.NORMAL,
    now=None,
) -> Question:
    """Staff log a question received by phone, in a chat group, at the counter (or read
    out from the public page). The unit is the caller's to look up in scope."""
    if not acting_user.has_perm("inquiries.add_question"):
        raise PermissionDenied(_("Your role may not log questions."))
    now = now or timezone.now()
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose where the question came in.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose the urgency.")
    try:
        text = _clean_text(text, "text", QUESTION_MAX_LENGTH)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        phone = _clean_phone(phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    question, _token = _question_new(
        unit=unit,
        channel=channel,
        text=text,
        phone=phone,
        urgency=urgency,
        now=now,
        created_by=acting_user,
    )
    assert_in_scope(question, acting_user, "view")
    return question


def _answer_sms(question: Question, body: str) -> None:
    """Queue the SMS (after commit, through notify) and keep its record on the question."""
    message = outbound_message_send(channel=NotifyChannel.SMS, address=question.phone, body=body)
    question.answer_message = message


@transaction.atomic
def question_answer(
    *,
    acting_user,
    question: Question,
    answer: str,
    faq_used: FaqEntry | None = None,
    notice: Notice | None = None,
    send_sms: bool = True,
    now=None,
) -> Question:
    """Answer a question: kept on the question, shown on its private link and, when the
    asker left a phone and `send_sms`, sent by SMS with that link. The notice the answer
    relies on is the FAQ entry's unless named. An answered question is refused."""
    now = now or timezone.now()
    if not acting_user.has_perm("inquiries.change_question"):
        raise PermissionDenied(_("Your role may not answer questions."))
    if question.status == QuestionStatus.ANSWERED:
        raise ValidationError(_("This question has already been answered."))
    answer = _clean_text(answer, "answer", ANSWER_MAX_LENGTH)
    question.answer = answer
    question.answered_at = now
    question.answered_by = acting_user
    question.faq_used = faq_used
    question.notice = notice or (faq_used.notice if faq_used is not None else None)
    question.status = QuestionStatus.ANSWERED
    if send_sms and question.phone:
        body = _("Your question has been answered: %(answer)s") % {"answer": answer[:200]}
        if question.channel != Channel.PUBLIC_PAGE:
            # Logged by staff: the asker has no link yet; this one is theirs (by SMS only).
            token = secrets.token_urlsafe(32)
            question.token_hash = token_hash(token)
            body += " " + _("Read it again at %(link)s") % {"link": private_link(token)}
        _answer_sms(question, body)
    save_audited(question, acting_user=acting_user)
    if faq_used is not None:
        FaqEntry.objects.filter(pk=faq_used.pk).update(times_used=F("times_used") + 1)
    assert_in_scope(question, acting_user, "change")
    return question


@transaction.atomic
def question_hand_off(
    *, acting_user, question: Question, department: str, note: str = "", now=None
) -> Question:
    """Record that the question needs another department (the hand-off): who, when, to
    whom. It leaves the queue's deadline count; it can still be answered here later."""
    if not acting_user.has_perm("inquiries.change_question"):
        raise PermissionDenied(_("Your role may not hand questions off."))
    department = (department or "").strip()
    if not department:
        raise ValidationError({"department": _("Name the department the question goes to.")})
    if question.status == QuestionStatus.ANSWERED:
        raise ValidationError(_("This question has already been answered."))
    question.status = QuestionStatus.HANDED_OFF
    question.handed_to = department[:100]
    question.handed_note = (note or "").strip()[:300]
    question.handed_at = now or timezone.now()
    question.handed_by = acting_user
    save_audited(question, acting_user=acting_user)
    assert_in_scope(question, acting_user, "change")
    return question


# ---------------------------------------------------------------------------- FAQ


def personal_data_check(**texts: str) -> None:
    """Refuse FAQ text that looks like it holds a phone or ID number (naming the field)."""
    errors = {
        field: _("Remove the phone or ID number: an FAQ entry holds no personal data.")
        for field, text in texts.items()
        if any(pattern.search(text or "") for pattern in PERSONAL_PATTERNS)
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def faq_propose(
    *,
    acting_user,
    unit,
    category: str,
    question: str,
    answer: str,
    notice: Notice | None = None,
    now=None,
) -> FaqEntry:
    """Propose an answer as an FAQ entry of `unit`: it waits for an officer's review."""
    if not acting_user.has_perm("inquiries.add_faqentry"):
        raise PermissionDenied(_("Your role may not propose FAQ entries."))
    errors = {}
    if category not in FaqCategory.values:
        errors["category"] = _("Choose a category.")
    question = (question or "").strip()
    if not question:
        errors["question"] = _("Write the question.")
    elif len(question) > 300:
        errors["question"] = _("At most %(max)d characters (this one has %(n)d).") % {
            "max": 300,
            "n": len(question),
        }
    try:
        answer = _clean_text(answer, "answer", ANSWER_MAX_LENGTH)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    personal_data_check(question=question, answer=answer)
    entry = FaqEntry(
        unit=unit,
        category=category,
        question=question,
        answer=answer,
        notice=notice,
        proposed_by=acting_user,
        proposed_at=now or timezone.now(),
    )
    save_audited(entry, acting_user=acting_user)
    search.index_faq(entry)
    assert_in_scope(entry, acting_user, "view")
    return entry


@transaction.atomic
def faq_review(
    *, acting_user, entry: FaqEntry, publish: bool, note: str = "", now=None
) -> FaqEntry:
    """An officer publishes (or rejects) an entry awaiting review. Publishing checks again
    that it holds no personal data."""
    if not acting_user.has_perm("inquiries.review_faqentry"):
        raise PermissionDenied(_("Only an officer reviews FAQ entries."))
    if entry.status != FaqStatus.PENDING:
        raise ValidationError(_("This entry is not awaiting review."))
    if publish:
        personal_data_check(question=entry.question, answer=entry.answer)
    entry.status = FaqStatus.PUBLISHED if publish else FaqStatus.REJECTED
    entry.reviewed_by = acting_user
    entry.reviewed_at = now or timezone.now()
    entry.review_note = (note or "").strip()[:300]
    save_audited(entry, acting_user=acting_user)
    assert_in_scope(entry, acting_user, "change")
    return entry


@transaction.atomic
def faq_revise(
    *, acting_user, entry: FaqEntry, answer: str, notice: Notice | None, now=None
) -> FaqEntry:
    """Rewrite a stale (or rejected) entry's answer, citing the notice now in force: it
    goes back to review."""
    if not acting_user.has_perm("inquiries.change_faqentry"):
        raise PermissionDenied(_("Your role may not revise FAQ entries."))
    if entry.status not in (FaqStatus.STALE, FaqStatus.REJECTED, FaqStatus.PUBLISHED):
        raise ValidationError(_("This entry is awaiting review already."))
    answer = _clean_text(answer, "answer", ANSWER_MAX_LENGTH)
    personal_data_check(answer=answer)
    if notice is not None and notice.is_superseded:
        raise ValidationError({"notice": _("That notice has been replaced: cite the newer one.")})
    entry.answer = answer
    entry.notice = notice
    entry.status = FaqStatus.PENDING
    save_audited(entry, acting_user=acting_user)
    search.index_faq(entry)
    assert_in_scope(entry, acting_user, "change")
    return entry


def faq_mark_stale(*, replaced: Notice, now=None) -> int:
    """The notice `replaced` has a newer version: every published or pending entry citing
    it goes stale (listed for review). Called when the replacing notice is saved; returns
    how many entries went stale."""
    now = now or timezone.now()
    entries = list(
        FaqEntry.objects.filter(
            notice=replaced, status__in=(FaqStatus.PUBLISHED, FaqStatus.PENDING)
        )
    )
    for entry in entries:
        entry.status = FaqStatus.STALE
        entry.stale_notice = replaced
        entry.stale_since = now
        save_audited(entry, acting_user=None, reason="notice replaced")
    return len(entries)


def correction_recipients(entry: FaqEntry):
    """The answered questions whose answer relied on the entry's replaced notice (by the
    entry, or citing it directly) and that have not had the correction yet."""
    if entry.stale_notice_id is None:
        return Question.objects.none()
    return Question.objects.filter(
        status=QuestionStatus.ANSWERED, notice_id=entry.stale_notice_id, corrected_at__isnull=True
    )


@transaction.atomic
def faq_correction_send(*, acting_user, entry: FaqEntry, text: str, now=None) -> int:
    """Send the correction to everyone whose answer cited the replaced notice (one action):
    shown on each question's private link and sent by SMS to those who left a phone. Each
    question gets it once. Returns how many questions were corrected."""
    if not acting_user.has_perm("inquiries.change_question"):
        raise PermissionDenied(_("Your role may not send corrections."))
    if entry.stale_notice_id is None:
        raise ValidationError(_("This entry's notice has not been replaced."))
    text = _clean_text(text, "correction", ANSWER_MAX_LENGTH)
    personal_data_check(correction=text)
    now = now or timezone.now()
    questions = list(
        correction_recipients(entry).filter(
            pk__in=Question.objects.visible_to(acting_user, "change").values("pk")
        )
    )
    for question in questions:
        question.correction = text
        question.corrected_at = now
        if question.phone:
            outbound_message_send(
                channel=NotifyChannel.SMS,
                address=question.phone,
                body=_("A correction to the answer you received: %(text)s") % {"text": text[:200]},
            )
        save_audited(question, acting_user=acting_user, reason="correction")
    return len(questions)


def on_notice_saved(sender, instance: Notice, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of a notice (connected in the app's ready()): a new version makes the
    entries citing the one it replaces stale, in the same transaction."""
    if created and not raw and instance.supersedes_id:
        faq_mark_stale(replaced=instance.supersedes, now=instance.pushed_at)
