"""Where outbound messages go: one small class per transport, chosen in settings.NOTIFY.

``console`` logs the message, ``file`` appends one JSON line per message to
``var/outbox/<channel>.jsonl`` (the demo's default: nothing leaves the machine), ``http``
posts SMS to a gateway URL as JSON ``{"to": ..., "text": ...}``, ``django`` sends email
with Django's configured email backend. The real channels (``aliyun`` and ``tencent``
for SMS, ``wecom_app`` and ``wecom_robot`` for WeCom) are in `providers/`.

A backend's ``send`` returns a :class:`Sent` (the provider's id for the message) or None,
and raises :class:`DeliveryError` when the message cannot be sent, :class:`RetryableError`
when it may be sent later (see `delivery.py` for retries, rate limits and sending once).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from outpost.notify.errors import DeliveryError, RetryableError, Sent
from outpost.notify.providers.aliyun import AliyunSmsBackend
from outpost.notify.providers.tencent import TencentSmsBackend
from outpost.notify.providers.wecom import WecomAppBackend, WecomRobotBackend

logger = logging.getLogger("outpost.notify")

__all__ = ["BACKENDS", "DeliveryError", "RetryableError", "Sent", "backend_for"]


class LocalBackend:
    """The backends that do not leave the machine, or hand over to a gateway: no provider
    id, no rate limit of their own, no settings that must be there."""

    name = ""
    dedupes = False
    required: dict[str, str] = {}

    @staticmethod
    def rate_limit():
        return None


class ConsoleBackend(LocalBackend):
    def send(self, *, channel: str, address: str, subject: str, body: str, key="") -> None:
        logger.info("%s to %s: %s %s", channel, address, subject, body)


class FileBackend(LocalBackend):
    def send(self, *, channel: str, address: str, subject: str, body: str, key="") -> None:
        directory = Path(settings.NOTIFY["outbox_dir"])
        directory.mkdir(parents=True, exist_ok=True)
        line = {
            "at": timezone.now().isoformat(),
            "to": address,
            "subject": subject,
            "text": body,
        }
        with open(directory / f"{channel}.jsonl", "a", encoding="utf-8") as outbox:
            outbox.write(json.dumps(line, ensure_ascii=False) + "\n")


class HttpSmsBackend(LocalBackend):
    required = {"sms_gateway_url": "OUTPOST_SMS_GATEWAY_URL"}

    def send(self, *, channel: str, address: str, subject: str, body: str, key="") -> None:
        url = settings.NOTIFY["sms_gateway_url"]
        if not url:
            raise DeliveryError("OUTPOST_SMS_GATEWAY_URL is not set")
        data = json.dumps({"to": address, "text": body}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            url, data=data, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status >= 300:
                    raise DeliveryError(f"gateway answered {response.status}")
        except (urllib.error.URLError, TimeoutError) as exc:
            raise RetryableError(f"gateway unreachable: {exc}") from None


class DjangoEmailBackend(LocalBackend):
    def send(self, *, channel: str, address: str, subject: str, body: str, key="") -> None:
        try:
            send_mail(subject, body, None, [address])
        except OSError as exc:
            raise DeliveryError(str(exc)) from None


BACKENDS = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "http": HttpSmsBackend,
    "django": DjangoEmailBackend,
    "aliyun": AliyunSmsBackend,
    "tencent": TencentSmsBackend,
    "wecom_app": WecomAppBackend,
    "wecom_robot": WecomRobotBackend,
}
# Which backends may serve which channel (the local ones serve every channel).
CHANNEL_BACKENDS = {
    "sms": {"console", "file", "http", "aliyun", "tencent"},
    "email": {"console", "file", "django"},
    "wecom": {"console", "file", "wecom_app", "wecom_robot"},
}


def missing_settings(channel: str) -> list[str]:
    """The environment variables the channel's chosen backend needs and does not have; an
    unknown backend's own variable when the name is not one of this channel's."""
    name = settings.NOTIFY.get(channel, "")
    variable = f"OUTPOST_{channel.upper()}_BACKEND"
    if name not in CHANNEL_BACKENDS.get(channel, ()):
        return [variable]
    return [env for key, env in BACKENDS[name].required.items() if not settings.NOTIFY.get(key)]


def backend_for(channel: str):
    name = settings.NOTIFY.get(channel, "")
    if name not in CHANNEL_BACKENDS.get(channel, ()):
        raise DeliveryError(f"unknown {channel} backend {name!r}", code="not_configured")
    return BACKENDS[name]()
