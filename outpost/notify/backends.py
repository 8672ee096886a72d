"""Where outbound messages go: one small class per transport, chosen in settings.NOTIFY.

``console`` logs the message, ``file`` appends one JSON line per message to
``var/outbox/<channel>.jsonl`` (the demo's default: nothing leaves the machine), ``http``
posts SMS to a gateway URL as JSON ``{"to": ..., "text": ...}``, ``django`` sends email
with Django's configured email backend. A backend raises :class:`DeliveryError` with a
reason when the message could not be sent.
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

logger = logging.getLogger("outpost.notify")


class DeliveryError(Exception):
    pass


class ConsoleBackend:
    def send(self, *, channel: str, address: str, subject: str, body: str) -> None:
        logger.info("%s to %s: %s %s", channel, address, subject, body)


class FileBackend:
    def send(self, *, channel: str, address: str, subject: str, body: str) -> None:
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


class HttpSmsBackend:
    def send(self, *, channel: str, address: str, subject: str, body: str) -> None:
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
            raise DeliveryError(f"gateway unreachable: {exc}") from None


class DjangoEmailBackend:
    def send(self, *, channel: str, address: str, subject: str, body: str) -> None:
        try:
            send_mail(subject, body, None, [address])
        except OSError as exc:
            raise DeliveryError(str(exc)) from None


BACKENDS = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "http": HttpSmsBackend,
    "django": DjangoEmailBackend,
}


def backend_for(channel: str):
    name = settings.NOTIFY[channel]
    try:
        return BACKENDS[name]()
    except KeyError:
        raise DeliveryError(f"unknown {channel} backend {name!r}") from None
