"""The person's request (个人信息权利请求). Imported by `outpost.core.models`, so it is a
model of the core app."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.scoping import ScopedModel
from outpost.core.subject_requests.choices import (
    DUE_DAYS,
    IdentityCheck,
    KeepBasis,
    RequestChannel,
    RequestKind,
    RequestStatus,
)
from outpost.core.validators import NOTE_MAX_LENGTH, validate_note

REFERENCE_PREFIX = "SR-"


def due_date(received_on: datetime.date) -> datetime.date:
    """The day a request received on `received_on` must be answered by: 15 calendar days."""
    return received_on + datetime.timedelta(days=DUE_DAYS)


class SubjectRequest(ScopedModel):
    """A person's request about their personal information (个人信息权利请求): to know,
    copy, correct or delete what we hold (PIPL Art. 44–47). The person is a resident of the
    registry (`subject_pk`, found through the registered person finder) or, when not found,
    a name and a masked ID number as given. ``unit`` is the person's grid (or the unit
    chosen), for scoping. Closed as answered or refused, with the answer on record."""

    unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="subject_requests",
    )
    # The resident's id (the registry's person); core holds no foreign key to an app.
    subject_pk = models.PositiveBigIntegerField(_("person in the registry"), null=True, blank=True)
    subject_name = models.CharField(_("name"), max_length=60)
    subject_id_masked = models.CharField(_("ID number (masked)"), max_length=40, blank=True)
    kind = models.CharField(_("request"), max_length=10, choices=RequestKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=RequestChannel.choices)
    identity_check = models.CharField(
        _("identity checked by"), max_length=20, choices=IdentityCheck.choices
    )
    identity_note = models.CharField(_("identity check, in words"), max_length=300, blank=True)
    details = models.TextField(
        _("what the person asks"),
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH), validate_note],
    )
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    answer = models.TextField(
        _("answer"),
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH), validate_note],
    )
    keep_basis = models.CharField(
        _("legal reason to keep"), max_length=20, choices=KeepBasis.choices, blank=True
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    # Per module: rows kept and personal fields blanked by the anonymisation.
    anonymised_counts = models.JSONField(_("anonymised records"), default=dict, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person's request")
        verbose_name_plural = _("people's requests")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=RequestStatus.OPEN) | ~Q(answer=""),
                name="core_subjectrequest_closed_with_answer",
                violation_error_message=_("Closing a request needs the answer or the reason."),
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("received_on")),
                name="core_subjectrequest_due_after_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject_name}"

    def get_absolute_url(self) -> str:
        return reverse("core:subject_request_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        """The request's number (请求编号), also the change reason of corrections under it."""
        return f"{REFERENCE_PREFIX}{self.pk:05d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and (today or timezone.localdate()) > self.due_on
