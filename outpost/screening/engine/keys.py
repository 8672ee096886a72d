"""Feed dates and a feed row's identity key (the key a reviewer's decision is stored under)."""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

from django.core.exceptions import ValidationError

from outpost.core.identity import (
    normalize_id_number,
    normalize_phone,
    validate_id_number,
)

from .names import _FULL_TO_HALF, name_key

_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_feed_date(raw: Any) -> datetime.date | None:
    """A date from what feeds contain: ``2020-01-23``, ``2020/1/23``, ``2020年1月23日``,
    ``20200123``, an Excel serial (43853), a date or datetime. None when blank or unreadable."""
    if raw is None:
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        serial = int(raw)
        return _EXCEL_EPOCH + datetime.timedelta(days=serial) if 1 <= serial < 100_000 else None
    text = str(raw).strip().translate(_FULL_TO_HALF)
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        if match := pattern.fullmatch(text):
            try:
                return datetime.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    if re.fullmatch(r"\d{1,5}(\.0+)?", text):
        return parse_feed_date(int(float(text)))
    return None


def normalize_feed_id(raw: Any) -> tuple[str, bool]:
    """(normalised ID, valid). 15-digit IDs are upgraded; invalid ones keep their text."""
    value = normalize_id_number(raw)
    if not value:
        return "", False
    try:
        return validate_id_number(value), True
    except ValidationError:
        return value, False


def identity_key(id_number: Any, phone: Any, name: Any, birth_date: datetime.date | None) -> str:
    """Stable key of a feed row: md5 of its normalised (ID, phone, name, birth date).

    The same as the engine computes in SQL; a decision stored under it applies to every row of
    any later feed that carries the same data. ``birth_date`` is the date as given by the feed
    (not derived from the ID)."""
    id_norm, _ = normalize_feed_id(id_number)
    phone_norm = normalize_phone(phone) if phone else ""
    date_text = birth_date.isoformat() if birth_date else ""
    text = "|".join((id_norm, phone_norm, name_key(name), date_text))
    return hashlib.md5(text.encode()).hexdigest()
