"""The in-app inbox and the outbound-message log (通知)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from outpost.core.crypto.fields import BlindIndexField, EncryptedCharField, EncryptedTextField
from outpost.notify.choices import Channel, Delivery, DeliveryStatus, MessageKind


class InboxMessage(models.Model):
    """A message in one user's in-app inbox (站内消息): an assignment, a routed order item,
    an alert. Only its recipient ever sees it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="inbox_messages",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = EncryptedTextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("notify:message_detail", args=[self.pk])


class OutboundMessage(models.Model):
    """A message sent outside Outpost by SMS or email (外发消息), through the configured
    backend. The full address is kept only until the message is sent; afterwards the log
    keeps it masked."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = EncryptedCharField(_("address"), max_length=254)
    address_index = BlindIndexField(source="address", normaliser="exact")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = EncryptedTextField(_("message"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Sending once (see delivery.py): the key goes to the provider where it keeps one (the
    # SMS providers echo it in receipts, WeCom dedupes on the message), `claimed_at` is when
    # a worker took it, `attempts` counts calls to the provider, `next_attempt_at` is when
    # a retry is due.
    key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # What the message is about, for the module that sent it to read its state back
    # ("enterprises.noticeescalation:12", "observation.alert:7").
    about = models.CharField(_("about"), max_length=80, blank=True, db_index=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["provider", "provider_id"], name="notify_outbound_provider_id"),
            models.Index(fields=["status", "claimed_at"], name="notify_outbound_status"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.pk}"


class DeliveryPreference(models.Model):
    """How one user wants one kind of message (通知方式): in the inbox only, or also by SMS.
    Without a row, the sender's default holds (a fever alert comes by SMS, the rest not)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="delivery_preferences",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)

    class Meta:
        verbose_name = _("delivery preference")
        verbose_name_plural = _("delivery preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notify_one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}={self.delivery}"
