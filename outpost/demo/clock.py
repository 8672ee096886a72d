"""Moments of the demo's simulated days, in the station's time zone (China time)."""

from __future__ import annotations

import datetime

from django.utils import timezone


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """`day` at `hour`:`minute`, China time."""
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )
