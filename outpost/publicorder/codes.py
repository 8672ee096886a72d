"""The checkpoints' QR codes (巡逻点位二维码): signed, and valid on one China day only.

A code's content is the address of the scan page with a token: the checkpoint's id and the
China day, signed with the deployment's secret (`django.core.signing`, HMAC-SHA256) under
a salt of this module. Yesterday's code, a photo of last week's sheet or a made-up code is
refused with a message that says which; the sheet is printed again each day (or shown on a
screen at the checkpoint).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

SALT = "outpost.publicorder.checkpoint"


class CodeRefused(ValueError):
    """A scanned code that does not check a patrol in; the message says why."""


@dataclass(frozen=True)
class ScannedCode:
    checkpoint_id: int
    day: datetime.date


def checkpoint_token(checkpoint_id: int, day: datetime.date) -> str:
    return signing.dumps({"c": checkpoint_id, "d": day.isoformat()}, salt=SALT)


def checkpoint_code_content(checkpoint_id: int, day: datetime.date) -> str:
    """What the QR code holds: the scan page's full address with the day's token, so that
    a phone's camera opens it in the browser where the officer is logged in."""
    path = reverse("publicorder:scan") + "?code=" + checkpoint_token(checkpoint_id, day)
    return settings.OUTPOST_BASE_URL + path


def token_of(content: str) -> str:
    """The token from what was scanned: the whole address, or the token alone."""
    content = (content or "").strip()
    if "?" in content or "/" in content:
        try:
            values = parse_qs(urlsplit(content).query).get("code", [])
        except ValueError:  # not an address at all ("//[")
            return ""
        return values[0].strip() if values else ""
    return content


def code_read(content: str, *, today: datetime.date | None = None) -> ScannedCode:
    """The checkpoint and day of a scanned code that is genuine and of today (China time);
    `CodeRefused` otherwise."""
    token = token_of(content)
    if not token:
        raise CodeRefused(_("Scan the checkpoint's QR code: nothing was read."))
    try:
        data = signing.loads(token, salt=SALT)
        scanned = ScannedCode(int(data["c"]), datetime.date.fromisoformat(data["d"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise CodeRefused(
            _("This is not a checkpoint code of this station, or it was altered.")
        ) from None
    today = today or timezone.localdate()
    if scanned.day != today:
        raise CodeRefused(
            _(
                "This code was valid on %(day)s only; scan the checkpoint's code of today "
                "(%(today)s)."
            )
            % {"day": scanned.day.isoformat(), "today": today.isoformat()}
        )
    return scanned
