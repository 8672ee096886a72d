"""Questions residents ask (网上答疑), their answers, and the FAQ (常见问题) built from them.

A question belongs to the unit it was asked of (the community whose public page, chat group
or phone line it came through). The phone a resident leaves for the answer is encrypted at
rest and shown masked. Each question has a private link (an unguessable token, only its
SHA-256 kept) where its asker reads the answer. An FAQ entry is an answer an officer has
reviewed and published at a unit, with the notice it relies on; when that notice is
replaced, the entry goes stale until it is reviewed again.

Search (see `search.py`) reads `InquiryTerm`: one row per character bigram of a question or
entry, the inverted index that works alike on SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.crypto.fields import BlindIndexField, EncryptedCharField
from outpost.core.identity import mask_phone
from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel
from outpost.enterprises.notices.models import Notice
from outpost.inquiries.choices import Channel, FaqCategory, FaqStatus, QuestionStatus, Urgency
from outpost.notify.models import OutboundMessage

QUESTION_MAX_LENGTH = 1000
ANSWER_MAX_LENGTH = 2000


class FaqEntry(ScopedModel):
    """An FAQ entry (常见问题): a question and its answer as the public may read them, with a
    category and the notice it relies on, published at its unit after an officer's review.
    It holds no personal data (the review refuses phone or ID numbers)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="faq_entries"
    )
    category = models.CharField(_("category"), max_length=20, choices=FaqCategory.choices)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"), validators=[MaxLengthValidator(ANSWER_MAX_LENGTH)])
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("notice relied on"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FaqStatus.choices, default=FaqStatus.PENDING
    )
    # The notice whose replacement made the entry stale (kept after `notice` moves on).
    stale_notice = models.ForeignKey(
        Notice,
        verbose_name=_("replaced notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stale_since = models.DateTimeField(_("stale since"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    times_used = models.PositiveIntegerField(_("answers using it"), default=0)
    term_count = models.PositiveSmallIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["times_used", "term_count"])

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["category", "-pk"]
        permissions = [("review_faqentry", "Can review and publish FAQ entries")]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("inquiries:faq_detail", args=[self.pk])


class Question(ScopedModel):
    """A question a resident asked (咨询问题), on the public page or received by staff by
    phone, in a chat group or at the counter; its deadline by urgency, its answer (how it
    was sent back) and, when it needs another department, the hand-off."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="inquiries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    text = models.TextField(_("question"), validators=[MaxLengthValidator(QUESTION_MAX_LENGTH)])
    phone = EncryptedCharField(_("phone for the answer"), max_length=20, blank=True)
    phone_index = BlindIndexField(source="phone", normaliser="phone")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    received_at = models.DateTimeField(_("received"))
    due_at = models.DateTimeField(_("answer by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    answer = models.TextField(
        _("answer"), blank=True, validators=[MaxLengthValidator(ANSWER_MAX_LENGTH)]
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    faq_used = models.ForeignKey(
        FaqEntry,
        verbose_name=_("FAQ entry used"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("notice the answer relies on"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer_message = models.ForeignKey(
        OutboundMessage,
        verbose_name=_("answer SMS"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    correction = models.TextField(
        _("correction"), blank=True, validators=[MaxLengthValidator(ANSWER_MAX_LENGTH)]
    )
    corrected_at = models.DateTimeField(_("corrected"), null=True, blank=True)
    handed_to = models.CharField(_("handed to"), max_length=100, blank=True)
    handed_note = models.CharField(_("hand-off note"), max_length=300, blank=True)
    handed_at = models.DateTimeField(_("handed off"), null=True, blank=True)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed off by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    term_count = models.PositiveSmallIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["term_count"])

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["unit", "status", "due_at"]),
            models.Index(fields=["received_at"]),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    def get_absolute_url(self) -> str:
        return reverse("inquiries:detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    @property
    def is_waiting(self) -> bool:
        return self.status == QuestionStatus.OPEN


class InquiryTerm(models.Model):
    """One search term (a character bigram, or a Latin word or number) of a question or an
    FAQ entry: the inverted index `search.py` reads. Deleted with its question or entry."""

    term = models.CharField(max_length=24)
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    faq = models.ForeignKey(
        FaqEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        indexes = [
            models.Index(fields=["term", "question"]),
            models.Index(fields=["term", "faq"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(question__isnull=False, faq__isnull=True)
                | models.Q(question__isnull=True, faq__isnull=False),
                name="inquiries_term_of_one_record",
            )
        ]

    def __str__(self) -> str:
        return self.term
