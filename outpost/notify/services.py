"""Writes of notify (通知): the one interface every module uses to tell people something.

`notification_send` puts a message in users' inboxes and, when asked, also sends it by SMS
or email to them; `outbound_message_send` sends to an address outside Outpost's users (a
resident's self-report link). Delivery happens after commit, in a background task, through
the backend configured in ``settings.NOTIFY`` (see `backends.py`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.identity import mask_phone
from outpost.notify.backends import DeliveryError, backend_for
from outpost.notify.choices import Channel, DeliveryStatus, MessageKind
from outpost.notify.models import InboxMessage, OutboundMessage


def _mask_recipient(channel: str, address: str) -> str:
    """A message's recipient (a phone number or an e-mail address, not a dwelling) as the
    outbox keeps it after sending."""
    if channel == Channel.SMS:
        return mask_phone(address)
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _queue_delivery(message: OutboundMessage) -> None:
    from outpost.notify.tasks import outbound_deliver_task

    transaction.on_commit(lambda: outbound_deliver_task.enqueue(message_id=message.pk))


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable,
    kind: str,
    subject: str,
    body: str = "",
    url: str = "",
    channels: Iterable[str] = (),
) -> list[InboxMessage]:
    """Put a message in each recipient's inbox; also send it by each of `channels` (sms,
    email) to recipients who have that address. A recipient is counted once."""
    if kind not in MessageKind.values:
        raise ValidationError({"kind": _("Unknown message kind.")})
    unique = {user.pk: user for user in recipients}
    messages = []
    for user in unique.values():
        message = InboxMessage(recipient=user, kind=kind, subject=subject, body=body, url=url)
        message.full_clean()
        messages.append(message)
    InboxMessage.objects.bulk_create(messages)
    for channel in channels:
        for user in unique.values():
            address = _address_of(user, channel)
            if address:
                _outbound_create(
                    channel=channel,
                    address=address,
                    subject=subject,
                    body=body or subject,
                    recipient=user,
                )
    return messages


def _address_of(user, channel: str) -> str:
    if channel == Channel.EMAIL:
        return user.email or ""
    profile = getattr(user, "staff_profile", None)
    return profile.phone if profile else ""


def _outbound_create(*, channel, address, subject, body, recipient=None) -> OutboundMessage:
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    message = OutboundMessage(
        channel=channel, address=address, subject=subject, body=body, recipient=recipient
    )
    message.full_clean()
    message.save()
    _queue_delivery(message)
    return message


@transaction.atomic
def outbound_message_send(
    *, channel: str, address: str, body: str, subject: str = ""
) -> OutboundMessage:
    """Send a message to an address that is not a user's (e.g. a resident's phone)."""
    if not address.strip():
        raise ValidationError({"address": _("An address is needed to send a message.")})
    return _outbound_create(channel=channel, address=address.strip(), subject=subject, body=body)


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
    message.save(update_fields=["status", "error", "sent_at", "address"])
    return message


def inbox_message_read(*, acting_user, message: InboxMessage) -> InboxMessage:
    """Mark one of the user's own messages read."""
    if message.recipient_id != acting_user.pk:
        raise PermissionDenied
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


def inbox_read_all(*, acting_user) -> int:
    """Mark every unread message of the user read; returns how many."""
    return InboxMessage.objects.filter(recipient=acting_user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
