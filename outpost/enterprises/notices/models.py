"""Notices (权威信息推送), their attachments, the read receipt of each recipient enterprise
(阅知确认) and the log of each receipt's escalation (催办记录).

A notice is made at its author's unit for the enterprises below it, so it spans levels
(DESIGN rule 7): an officer of a community sees a station's notice with only the receipts
of the community's enterprises. A liaison sees only the notices pushed to its enterprise,
and of each only its own receipt.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel, ScopedQuerySet
from outpost.core.validators import validate_note, validate_text
from outpost.enterprises.models.registry import Enterprise, EnterpriseScopedModel
from outpost.enterprises.notices.choices import ConfirmedVia, EscalationLevel, EscalationStep
from outpost.enterprises.scoping import EnterpriseScopedQuerySet

BODY_MAX_LENGTH = 20000


class Notice(ScopedModel):
    """A notice pushed to enterprises (权威信息推送): an official text (title, body,
    attachments) from a named source authority (发布机关), in a version; a new version
    replaces (supersedes) the earlier notice, which is then marked superseded wherever it
    is shown and no longer escalated. Recipients confirm reading it by the deadline
    (阅知确认截止时间); one `NoticeReceipt` per recipient enterprise."""

    scope_spans_levels = True
    # A liaison sees the notices with a receipt of its enterprise.
    scope_enterprise_field = "receipts__enterprise"

    unit = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="notices"
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_text])
    body = models.TextField(
        _("text"), validators=[validate_note, MaxLengthValidator(BODY_MAX_LENGTH)]
    )
    source_authority = models.CharField(
        _("source authority"),
        max_length=100,
        validators=[validate_text],
        help_text=_("Who issued the text, e.g. the city's epidemic command (发布机关)."),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        # The retention job deletes an old version before the newer one that names it.
        on_delete=models.SET_NULL,
        related_name="superseded_by",
    )
    deadline = models.DateTimeField(_("confirm by"))
    pushed_at = models.DateTimeField(_("pushed"))
    target_units = models.ManyToManyField(
        Unit, verbose_name=_("units pushed to"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pushed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["target_units"])

    objects = EnterpriseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-pushed_at", "-pk"]
        indexes = [models.Index(fields=["deadline"]), models.Index(fields=["unit", "pushed_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("enterprise_notices:detail", args=[self.pk])

    @property
    def newer(self) -> Notice | None:
        """The notice that replaced this one, or None."""
        try:
            return self.superseded_by
        except Notice.DoesNotExist:
            return None

    @property
    def is_superseded(self) -> bool:
        return self.newer is not None


class NoticeAttachmentQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view") -> NoticeAttachmentQuerySet:
        """The attachments of the notices the user may see (a liaison: those pushed to it)."""
        permission = f"enterprises.{action}_noticeattachment"
        if not getattr(user, "is_authenticated", False) or not user.has_perm(permission):
            return self.none()
        return self.filter(notice__in=Notice.objects.visible_to(user).values("pk"))


class NoticeAttachment(ScopedModel):
    """A file attached to a notice (附件): kept in Django's storage under a random name,
    downloaded under its original name, never opened by Outpost."""

    scope_unit_field = "notice__unit"

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="notices/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = NoticeAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice attachment")
        verbose_name_plural = _("notice attachments")
        ordering = ["notice", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("enterprise_notices:attachment", args=[self.pk])


class NoticeReceipt(EnterpriseScopedModel):
    """The read receipt of one recipient enterprise (阅知确认): who confirmed and when (the
    liaison, or an officer on the liaison's word by phone), and how far its escalation has
    gone (催办): the level reached, when, and the officer given the phone call."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="receipts"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="notice_receipts",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_via = models.CharField(
        _("confirmed how"), max_length=10, choices=ConfirmedVia.choices, blank=True
    )
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    call_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer to call"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notice_calls",
    )
    call_done_at = models.DateTimeField(_("called"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice receipt")
        verbose_name_plural = _("notice receipts")
        ordering = ["notice", "enterprise__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "enterprise"], name="enterprises_one_receipt_per_enterprise"
            ),
            # How it was confirmed only with when. (Not the converse: the China-time walk
            # moves every stored moment, confirmed_at included, on rows never confirmed.)
            models.CheckConstraint(
                condition=models.Q(confirmed_via="") | models.Q(confirmed_at__isnull=False),
                name="enterprises_receipt_confirmed_how_when",
            ),
        ]
        indexes = [
            models.Index(fields=["confirmed_at", "escalation_level"]),
            models.Index(fields=["call_officer", "call_done_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.notice.title} · {self.enterprise.name}"

    def get_absolute_url(self) -> str:
        return f"{self.notice.get_absolute_url()}#receipt-{self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def call_due(self) -> bool:
        """A phone-call task waits: given, not made, and the notice not confirmed."""
        return (
            self.escalation_level == EscalationLevel.CALL
            and self.call_done_at is None
            and self.confirmed_at is None
        )


class NoticeEscalation(EnterpriseScopedModel):
    """One step of a receipt's escalation (催办记录), with its time: a reminder in the
    liaison's inbox, an SMS (or why none went), the phone-call task given to an officer,
    the call made. `by` is the officer who escalated by hand (empty: the scheduled job)."""

    scope_unit_field = "receipt__enterprise__unit"
    scope_enterprise_field = "receipt__enterprise"

    receipt = models.ForeignKey(
        NoticeReceipt,
        verbose_name=_("receipt"),
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    step = models.CharField(_("step"), max_length=20, choices=EscalationStep.choices)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    @property
    def delivery_about(self) -> str:
        """The label of the messages this step sent (notify's `about`)."""
        return f"enterprises.noticeescalation:{self.pk}"

    @property
    def delivery_states(self) -> list:
        """The SMS step's messages with their delivery states (sent, delivered, failed…)."""
        if self.step != EscalationStep.SMS:
            return []
        from outpost.notify.selectors import outbound_states

        return outbound_states([self.delivery_about]).get(self.delivery_about, [])

    class Meta:
        verbose_name = _("notice escalation step")
        verbose_name_plural = _("notice escalation steps")
        ordering = ["receipt", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.receipt_id}: {self.step}"
