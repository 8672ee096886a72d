"""Delivering an outbound message (the worker's side of notify): hand it to its channel's
backend, then keep only the masked address. Run by `outbound_deliver_task`; the services
that queue messages enqueue that task, and this module imports neither."""

from __future__ import annotations

from django.utils import timezone

from outpost.core.identity import mask_phone
from outpost.notify.backends import DeliveryError, backend_for
from outpost.notify.choices import Channel, DeliveryStatus
from outpost.notify.models import OutboundMessage


def _mask_recipient(channel: str, address: str) -> str:
    """A message's recipient (a phone number or an e-mail address, not a dwelling) as the
    outbox keeps it after sending."""
    if channel == Channel.SMS:
        return mask_phone(address)
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def outbound_deliver(*, message: OutboundMessage) -> OutboundMessage:
    """Hand a queued message to its backend; keep only the masked address afterwards."""
    if message.status != DeliveryStatus.QUEUED:
        return message  # delivered once: a replayed task must not send it twice
    try:
        backend_for(message.channel).send(
            channel=message.channel,
            address=message.address,
            subject=message.subject,
            body=message.body,
        )
    except DeliveryError as exc:
        message.status, message.error = DeliveryStatus.FAILED, str(exc)[:300]
    else:
        message.status, message.sent_at = DeliveryStatus.SENT, timezone.now()
        message.address = _mask_recipient(message.channel, message.address)
    message.save(update_fields=["status", "error", "sent_at", "address", "address_index"])
    return message
