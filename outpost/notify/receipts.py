"""Delivery receipts (状态回执): the SMS providers tell Outpost whether each message reached
the phone. Aliyun posts its "HTTP batch push" (SmsReport) and Tencent Cloud its status
callback, each a JSON array, to the URL configured in their console:
``/notify/receipts/aliyun/<OUTPOST_NOTIFY_RECEIPT_TOKEN>/`` and ``…/tencent/<token>/``.
Neither provider signs these pushes (their documentation says so), so the URL carries a
long random secret, compared in constant time; without one set the endpoints do not exist.

A receipt settles a message that is `sent` (or `unknown`, or still `sending` when the
receipt outruns the worker's record) as delivered or failed; a message already settled is
left as it is, so a repeated receipt changes nothing."""

from __future__ import annotations

import datetime
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from outpost.notify.choices import DeliveryStatus
from outpost.notify.models import OutboundMessage

SETTLEABLE = (DeliveryStatus.SENT, DeliveryStatus.UNKNOWN, DeliveryStatus.SENDING)


@dataclass(frozen=True)
class Receipt:
    provider: str
    provider_id: str
    key: str  # the message's idempotency key, echoed back (Aliyun OutId)
    delivered: bool
    detail: str


def receipt_token_ok(token: str) -> bool:
    expected = settings.NOTIFY.get("receipt_token", "")
    return bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True


def receipt_apply(receipt: Receipt, *, now: datetime.datetime | None = None) -> bool:
    """Settle the message the receipt is about; True when it changed its state."""
    now = now or timezone.now()
    match = Q(pk__in=[])
    if receipt.provider_id:
        match |= Q(provider=receipt.provider, provider_id=receipt.provider_id)
    if receipt.key and _is_uuid(receipt.key):
        match |= Q(key=receipt.key)
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(match).first()
        if message is None or message.status not in SETTLEABLE:
            return False
        message.status = DeliveryStatus.DELIVERED if receipt.delivered else DeliveryStatus.FAILED
        message.delivered_at = now if receipt.delivered else None
        message.error = "" if receipt.delivered else receipt.detail[:300]
        if receipt.provider_id and not message.provider_id:
            message.provider_id = receipt.provider_id[:100]
        message.save(update_fields=["status", "delivered_at", "error", "provider_id"])
    return True


def aliyun_receipts(items: list) -> list[Receipt]:
    """Aliyun SmsReport: [{"biz_id", "out_id", "success", "err_code", "err_msg", …}]."""
    return [
        Receipt(
            provider="aliyun",
            provider_id=str(item.get("biz_id") or ""),
            key=str(item.get("out_id") or ""),
            delivered=item.get("success") is True,
            detail=f"{item.get('err_code', '')} {item.get('err_msg', '')}".strip(),
        )
        for item in items
        if isinstance(item, dict)
    ]


def tencent_receipts(items: list) -> list[Receipt]:
    """Tencent status callback: [{"sid", "report_status": SUCCESS|FAIL, "errmsg", …}]."""
    return [
        Receipt(
            provider="tencent",
            provider_id=str(item.get("sid") or ""),
            key="",
            delivered=item.get("report_status") == "SUCCESS",
            detail=f"{item.get('errmsg', '')} {item.get('description', '')}".strip(),
        )
        for item in items
        if isinstance(item, dict)
    ]


PARSERS = {"aliyun": aliyun_receipts, "tencent": tencent_receipts}
# What each provider expects back when the receipts were taken.
ACCEPTED = {"aliyun": {"code": 0, "msg": "成功"}, "tencent": {"result": 0, "errmsg": "OK"}}
REFUSED = {
    "aliyun": {"code": 1, "msg": "bad request"},
    "tencent": {"result": 1, "errmsg": "bad request"},
}
