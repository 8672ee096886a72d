"""The demo's days on the enterprise platform (企业平安之家): each part of the enterprises app
writes its own demo rows over the demo's enterprises, after the rest of the activity."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User

from outpost.demo.enterprise_dormitories import build_dormitories
from outpost.demo.enterprise_tests import build_employee_tests
from outpost.enterprises.models import Enterprise


def build_enterprise_activity(*, seed: int, today: datetime.date) -> int:
    """Write every part's demo rows; returns how many rows were written."""
    enterprises = list(Enterprise.objects.select_related("unit").order_by("pk"))
    officer = User.objects.filter(username="officer01").first()
    written = 0
    written += sum(
        build_dormitories(enterprises=enterprises, today=today, officer=officer, seed=seed).values()
    )
    written += build_employee_tests(
        enterprises=[e for e in enterprises if e.is_essential], today=today, seed=seed
    )
    return written
