"""Delivering an outbound message (the worker's side of notify): claim it, hand it to its
channel's backend, record what the provider answered. Run by `outbound_deliver_task`; the
services that queue messages enqueue that task, and this module imports neither.

Sending once. A message is claimed in a transaction of its own before the provider is
called: its row is locked, it must still be `queued`, and it becomes `sending` with the
moment of the claim, committed. A second task for the same message (enqueued twice, rerun
by a worker) finds it no longer queued and does nothing. The provider's answer is recorded
in a second transaction. Between the two commits lies the one window where a worker can
die (killed, the machine lost) after the provider took the message but before Outpost
wrote it down; the message then stays `sending`. The sweep (`outbound_sweep`, every
minute) finds messages `sending` for longer than LEASE and:

* for a provider that dedupes (WeCom application messages drop an identical message to the
  same members within 30 minutes), puts it back to `queued`: sent again, shown once;
* for the SMS providers, which keep no idempotency key, marks it `unknown` and does NOT
  send it again: a message possibly sent twice is worse for a resident than one the
  station knows it must check. The message's key went to the provider as OutId (Aliyun) or
  SessionContext (Tencent), so a late receipt carrying it still settles the message as
  delivered or failed; until then the ladder and the alerts count it as not reached.

A retryable answer (rate-limited, a timeout, a 5xx) puts the message back to `queued` with
`next_attempt_at` after an exponential backoff (30 s, 1 min, 2 min … at most an hour,
or what the provider asked for) and enqueues a task to run then; after `max_attempts`
calls it fails. A permanent answer (template rejected, a number refused) fails at once.
Each provider's rate limit is counted in the database (core's rate counters), shared by
every worker: a message over the limit is not sent now but rescheduled a second later.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outpost.core.identity import mask_phone
from outpost.core.ratelimit import rate_limit_hit
from outpost.notify.backends import backend_for
from outpost.notify.choices import Channel, DeliveryStatus
from outpost.notify.errors import DeliveryError, RateLimited, RetryableError, Sent
from outpost.notify.models import OutboundMessage

logger = logging.getLogger("outpost.notify")

# How long a claim holds: longer than any provider call (their timeout is seconds).
LEASE = datetime.timedelta(minutes=2)
BACKOFF_FIRST = 30.0
BACKOFF_MAX = 3600.0
RECORDED = ["status", "error", "sent_at", "address", "address_index", "provider_id"]

# Enqueues the task for a message at a moment (set by tasks.py: this module does not
# import the task, which imports it).
Enqueue = Callable[[int, datetime.datetime | None], None]


def _mask_recipient(channel: str, address: str) -> str:
    """A message's recipient (a phone number, an e-mail address, a WeCom id, not a
    dwelling) as the outbox keeps it after sending."""
    if channel == Channel.SMS:
        return mask_phone(address)
    if channel == Channel.WECOM:
        return f"{address[:1]}***"
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def backoff_seconds(attempts: int) -> float:
    """The wait before the next call after `attempts` calls: 30 s, doubling, at most 1 h."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _claim(message_id: int, backend, now, enqueue: Enqueue) -> OutboundMessage | None:
    """Take the message for this worker, or None when it is not this worker's to send
    (already claimed, sent or failed; a retry not yet due; over the provider's rate)."""
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != DeliveryStatus.QUEUED:
            return None
        if message.next_attempt_at is not None and message.next_attempt_at > now:
            return None  # an early duplicate: the task enqueued for that moment sends it
        limit = backend.rate_limit()
        if limit is not None and rate_limit_hit(limit=limit, key="all", now=now):
            message.next_attempt_at = now + datetime.timedelta(seconds=limit.seconds)
            message.save(update_fields=["next_attempt_at"])
            transaction.on_commit(lambda: enqueue(message.pk, message.next_attempt_at))
            return None
        message.status = DeliveryStatus.SENDING
        message.claimed_at = now
        message.attempts += 1
        message.provider = backend.name
        message.save(update_fields=["status", "claimed_at", "attempts", "provider"])
    return message


def _final(message: OutboundMessage) -> None:
    message.address = _mask_recipient(message.channel, message.address)


def _record(message_id: int, claimed_at, outcome, now, enqueue: Enqueue) -> OutboundMessage:
    """Write down the provider's answer: sent (and its id), a retry, or a failure."""
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().get(pk=message_id)
        if message.status == DeliveryStatus.SENDING and message.claimed_at != claimed_at:
            return message  # the sweep gave it to another worker meanwhile
        if message.status not in (DeliveryStatus.SENDING, DeliveryStatus.UNKNOWN):
            return message  # a receipt already settled it
        if isinstance(outcome, RetryableError) and message.status == DeliveryStatus.SENDING:
            if message.attempts < settings.NOTIFY.get("max_attempts", 6):
                wait = outcome.retry_after or backoff_seconds(message.attempts)
                message.status = DeliveryStatus.QUEUED
                message.next_attempt_at = now + datetime.timedelta(seconds=wait)
                why = "rate-limited" if isinstance(outcome, RateLimited) else "will retry"
                message.error = f"{why}: {outcome}"[:300]
                message.save(update_fields=["status", "next_attempt_at", "error"])
                transaction.on_commit(lambda: enqueue(message.pk, message.next_attempt_at))
                return message
            outcome = DeliveryError(
                f"gave up after {message.attempts} attempts: {outcome}", code=outcome.code
            )
        if isinstance(outcome, DeliveryError):
            if message.status == DeliveryStatus.UNKNOWN:
                return message  # no proof it did not leave: stays unknown
            message.status, message.error = DeliveryStatus.FAILED, str(outcome)[:300]
        else:
            sent = outcome if isinstance(outcome, Sent) else Sent()
            message.status = DeliveryStatus.DELIVERED if sent.delivered else DeliveryStatus.SENT
            message.sent_at = now
            message.provider_id = sent.provider_id[:100]
            message.error = ""
            if sent.delivered:
                message.delivered_at = now
        _final(message)
        message.save(update_fields=[*RECORDED, "delivered_at"])
    return message


def outbound_deliver(
    *, message_id: int, enqueue: Enqueue, now: datetime.datetime | None = None
) -> OutboundMessage | None:
    """Send one queued message once (see the module's docstring); returns it as it stands
    afterwards (None when there is no such message)."""
    now = now or timezone.now()
    message = OutboundMessage.objects.filter(pk=message_id).first()
    if message is None:
        return None
    try:
        backend = backend_for(message.channel)
    except DeliveryError as exc:
        backend, early = None, exc
    if backend is None:
        with transaction.atomic():
            current = OutboundMessage.objects.select_for_update().get(pk=message_id)
            if current.status == DeliveryStatus.QUEUED:
                current.status, current.error = DeliveryStatus.FAILED, str(early)[:300]
                current.save(update_fields=["status", "error"])
        return current
    claimed = _claim(message_id, backend, now, enqueue)
    if claimed is None:
        return OutboundMessage.objects.get(pk=message_id)
    try:
        outcome = backend.send(
            channel=claimed.channel,
            address=claimed.address,
            subject=claimed.subject,
            body=claimed.body,
            key=str(claimed.key),
        )
    except DeliveryError as exc:
        logger.warning("outbound %s: %s", claimed.pk, exc)
        outcome = exc
    return _record(claimed.pk, claimed.claimed_at, outcome, now, enqueue)


def outbound_sweep(*, now: datetime.datetime, enqueue: Enqueue) -> dict[str, int]:
    """The minute's sweep: a message left `sending` by a worker that died is sent again
    where the provider dedupes and marked `unknown` elsewhere; a queued message whose task
    was lost (its retry long due) is enqueued again (a second task is harmless)."""
    counts = {"requeued": 0, "unknown": 0, "enqueued": 0}
    requeued = []
    stale = now - LEASE
    with transaction.atomic():
        stuck = OutboundMessage.objects.select_for_update(skip_locked=True).filter(
            status=DeliveryStatus.SENDING, claimed_at__lt=stale
        )
        for message in stuck:
            backend = _backend_or_none(message.channel)
            window = getattr(backend, "dedupe_seconds", 0)
            if (
                backend is not None
                and backend.dedupes
                and message.claimed_at > now - (datetime.timedelta(seconds=window))
            ):
                message.status, message.next_attempt_at = DeliveryStatus.QUEUED, None
                message.save(update_fields=["status", "next_attempt_at"])
                transaction.on_commit(lambda pk=message.pk: enqueue(pk, None))
                requeued.append(message.pk)
                counts["requeued"] += 1
            else:
                message.status = DeliveryStatus.UNKNOWN
                message.error = (
                    "the worker stopped while the provider was being called: whether the "
                    "message left is not known, and it is not sent again"
                )
                _final(message)
                message.save(update_fields=["status", "error", "address", "address_index"])
                counts["unknown"] += 1
    lost = (
        OutboundMessage.objects.filter(status=DeliveryStatus.QUEUED, created_at__lt=stale)
        .exclude(next_attempt_at__gt=stale)
        .exclude(pk__in=requeued)
    )
    for pk in lost.values_list("pk", flat=True)[:500]:
        enqueue(pk, None)
        counts["enqueued"] += 1
    return counts


def _backend_or_none(channel: str):
    try:
        return backend_for(channel)
    except DeliveryError:
        return None
