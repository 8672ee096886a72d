"""Writes of notify (通知): the one interface every module uses to tell people something.

`notification_send` puts a message in users' inboxes and, when asked, also sends it by SMS
or email to them; `outbound_message_send` sends to an address outside Outpost's users (a
resident's self-report link). Delivery happens after commit, in a background task, through
the backend configured in ``settings.NOTIFY`` (see `backends.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outpost.core.i18n import is_supported
from outpost.core.identity import validate_mobile
from outpost.notify.backends import missing_settings
from outpost.notify.choices import Channel, Delivery, MessageKind
from outpost.notify.models import DeliveryPreference, InboxMessage, OutboundMessage
from outpost.notify.tasks import enqueue_delivery


def _queue_delivery(message: OutboundMessage) -> None:
    transaction.on_commit(lambda: enqueue_delivery(message.pk))


# Composes a message's (subject, body) in the active language: called once per language of
# the recipients, inside `translation.override`, so each reads it in their own language.
Compose = Callable[[], tuple[str, str]]


def recipient_language(user) -> str:
    """The language a user reads messages in: the one chosen on their profile, else the
    deployment's default (Chinese)."""
    profile = getattr(user, "staff_profile", None)
    language = profile.language if profile is not None else ""
    return language if is_supported(language) else settings.LANGUAGE_CODE


def sms_configured() -> bool:
    """Whether SMS can leave Outpost: a known backend with every setting it needs (the
    gateway's URL; a provider's keys, signature and template)."""
    return not missing_settings(Channel.SMS)


def _wants_sms(users: list, kind: str, default: bool) -> set[int]:
    """The users (ids) who get this kind by SMS: their own choice, else the sender's."""
    chosen = dict(
        DeliveryPreference.objects.filter(user__in=users, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    return {
        user.pk
        for user in users
        if chosen.get(user.pk, Delivery.INBOX_SMS if default else Delivery.INBOX)
        == Delivery.INBOX_SMS
    }


def _by_language(users) -> dict[str, list]:
    groups: dict[str, list] = defaultdict(list)
    for user in users:
        groups[recipient_language(user)].append(user)
    return groups


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable,
    kind: str,
    subject: str = "",
    body: str = "",
    compose: Compose | None = None,
    url: str = "",
    channels: Iterable[str] = (),
    about: str = "",
) -> list[InboxMessage]:
    """Put a message in each recipient's inbox, in that recipient's language when
    `compose` is given (else `subject` and `body` as they are). Also by SMS to recipients
    with a phone who chose SMS for this kind (without a choice: when `channels` holds
    sms), when an SMS backend is configured; by e-mail when `channels` holds email. A
    recipient is counted once. `about` labels the outbound messages for the sender to read
    their delivery states back (`selectors.outbound_states`)."""
    if kind not in MessageKind.values:
        raise ValidationError({"kind": _("Unknown message kind.")})
    unique = list({user.pk: user for user in recipients}.values())
    channels = set(channels)
    sms_to = _wants_sms(unique, kind, Channel.SMS in channels) if sms_configured() else set()
    messages = []
    for language, users in _by_language(unique).items():
        if compose is not None:
            with translation.override(language):
                subject, body = (str(text) for text in compose())
        for user in users:
            message = InboxMessage(recipient=user, kind=kind, subject=subject, body=body, url=url)
            # The recipient is a user in hand: checking that it exists would cost a query each.
            message.full_clean(exclude=["recipient"])
            messages.append(message)
            if user.pk in sms_to:
                _outbound_to_user(user, Channel.SMS, subject, body, about)
            if Channel.EMAIL in channels:
                _outbound_to_user(user, Channel.EMAIL, subject, body, about)
    InboxMessage.objects.bulk_create(messages)
    return messages


def _outbound_to_user(user, channel: str, subject: str, body: str, about: str = "") -> None:
    address = _address_of(user, channel)
    if channel == Channel.SMS and address:
        try:
            address = validate_mobile(address)
        except ValidationError:
            address = ""  # a landline on the profile: no SMS, the inbox message stands
    if address:
        _outbound_create(
            channel=channel,
            address=address,
            subject=subject,
            body=body or subject,
            recipient=user,
            about=about,
        )


def staff_alert_send(*, recipients: Iterable, subject: str, body: str, url: str = "") -> None:
    """Core's alerts to staff (registered in NotifyConfig.ready): an inbox alert."""
    notification_send(
        recipients=recipients, kind=MessageKind.ALERT, subject=subject, body=body, url=url
    )


def staff_notice_send(*, recipients: Iterable, kind: str, compose: Compose, url: str) -> None:
    """Core's notices to staff (registered in NotifyConfig.ready): an export is ready, an
    import finished or failed; each in its recipient's language."""
    notification_send(recipients=recipients, kind=kind, compose=compose, url=url)


def email_send(*, address: str, subject: str, body: str) -> None:
    """Core's e-mails (registered in NotifyConfig.ready): a queued outbound e-mail."""
    outbound_message_send(channel=Channel.EMAIL, address=address, subject=subject, body=body)


def _address_of(user, channel: str) -> str:
    if channel == Channel.EMAIL:
        return user.email or ""
    profile = getattr(user, "staff_profile", None)
    return profile.phone if profile else ""


def _sms_number(address: str) -> str:
    """The mainland mobile number an SMS goes to, or a message naming the field."""
    try:
        return validate_mobile(address)
    except ValidationError as exc:
        raise ValidationError(
            {
                "address": _("“%(address)s” is not a mobile number: %(reason)s")
                % {"address": address, "reason": " ".join(exc.messages)}
            }
        ) from None


def _outbound_create(
    *, channel, address, subject, body, recipient=None, about=""
) -> OutboundMessage:
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    if channel == Channel.SMS:
        address = _sms_number(address)
    message = OutboundMessage(
        channel=channel,
        address=address,
        subject=subject,
        body=body,
        recipient=recipient,
        about=about[:80],
    )
    # The recipient is a user in hand and the key a fresh UUID: no query need check them.
    message.full_clean(exclude=["recipient"], validate_unique=False)
    message.save()
    _queue_delivery(message)
    return message


@transaction.atomic
def outbound_message_send(
    *, channel: str, address: str, body: str, subject: str = "", about: str = ""
) -> OutboundMessage:
    """Send a message to an address that is not a user's (e.g. a resident's phone, a WeCom
    member or group). An SMS goes only to a mainland mobile number: anything else is
    refused here, with a message naming the address, before anything is queued."""
    if not address.strip():
        raise ValidationError({"address": _("An address is needed to send a message.")})
    return _outbound_create(
        channel=channel, address=address.strip(), subject=subject, body=body, about=about
    )


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


@transaction.atomic
def delivery_preferences_set(*, acting_user, choices: dict[str, str]) -> None:
    """Keep the user's choice per kind: inbox only, or inbox and SMS."""
    for kind, delivery in choices.items():
        if kind not in MessageKind.values or delivery not in Delivery.values:
            raise ValidationError({kind: _("Choose inbox only or inbox and SMS.")})
        DeliveryPreference.objects.update_or_create(
            user=acting_user, kind=kind, defaults={"delivery": delivery}
        )
