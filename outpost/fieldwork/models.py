"""What phones sent from their outbox (离线记录回传): one row per record stored, by its
idempotency key, so that a record sent twice is stored once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel
from outpost.fieldwork.choices import SubmissionFlag, SubmissionKind


class FieldSubmission(ScopedModel):
    """A record a phone recorded offline and sent later (离线记录): its idempotency key
    (a UUID made on the phone), who sent it, a hash of what it said, the record it stored,
    when it was recorded (as the phone said, corrected for the phone's clock) and how far
    the phone's clock was off. `unit` is the stored record's unit. A refused record is not
    kept here: it stays on the phone, to be corrected and sent again or discarded."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    key = models.UUIDField(_("idempotency key"), unique=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="field_submissions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SubmissionKind.choices)
    content_hash = models.CharField(_("content hash"), max_length=64)
    record_id = models.PositiveBigIntegerField(_("record stored"))
    recorded_at = models.DateTimeField(_("recorded at"))
    sent_at = models.DateTimeField(_("sent at (phone clock)"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    clock_offset_seconds = models.IntegerField(
        _("phone clock offset (s)"),
        null=True,
        blank=True,
        help_text=_("The phone's clock minus the server's when the record was sent."),
    )
    flag = models.CharField(
        _("attention"), max_length=30, choices=SubmissionFlag.choices, blank=True, default=""
    )
    flag_seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)
    flag_seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seen by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("record sent from a phone")
        verbose_name_plural = _("records sent from phones")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["flag", "unit"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"
