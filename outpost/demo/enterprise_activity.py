"""The demo's days on the enterprise platform (企业平安之家): each part of the enterprises app
writes its own demo rows over the demo's enterprises, after the rest of the activity."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User

from outpost.core.models import Unit
from outpost.core.scoping import in_subtree
from outpost.demo.cases import build_cases
from outpost.demo.district import STATION_CODE
from outpost.demo.duty import build_duty_for_demo
from outpost.demo.enterprise_dormitories import build_dormitories
from outpost.demo.enterprise_notices import notices_build
from outpost.demo.enterprise_supplies import build_enterprise_supplies
from outpost.demo.enterprise_tests import build_employee_tests
from outpost.demo.inquiries import build_inquiries
from outpost.demo.publicorder import build_public_order
from outpost.enterprises.models import Enterprise, EnterpriseLiaison


def build_enterprise_activity(*, seed: int, today: datetime.date) -> int:
    """Write every part's demo rows; returns how many rows were written."""
    enterprises = list(Enterprise.objects.select_related("unit").order_by("pk"))
    officer = User.objects.filter(username="officer01").first()
    written = 0
    leader = User.objects.filter(username="leader").first()
    if leader is not None:
        # The station's notices to every enterprise, confirmed by their liaisons.
        liaisons = {
            b.enterprise_id: b.user for b in EnterpriseLiaison.objects.select_related("user")
        }
        notices = notices_build(
            enterprises=enterprises, author=leader, today=today, liaisons=liaisons
        )
        written += len(notices) * (1 + len(enterprises))
    written += sum(
        build_dormitories(enterprises=enterprises, today=today, officer=officer, seed=seed).values()
    )
    written += build_employee_tests(
        enterprises=[e for e in enterprises if e.is_essential], today=today, seed=seed
    )
    if officer is not None and hasattr(officer, "staff_profile"):
        # Requests of the enterprises in officer01's area, answered from the station's store.
        summary = build_enterprise_supplies(
            enterprises=[
                e
                for e in Enterprise.objects.filter(in_subtree(officer.staff_profile.unit))
                .select_related("unit")
                .order_by("pk")
            ],
            store=Unit.objects.get(code=STATION_CODE),
            officer=officer,
            today=today,
            seed=seed,
        )
        written += summary.requests + summary.donations + summary.ledger_lines
    written += build_inquiries(seed=seed, today=today)  # questions and the FAQ (网上答疑)
    written += build_cases(today=today, officer=officer)  # the two enforcement cases
    written += build_public_order(seed=seed, today=today)  # venues, patrols, incidents
    written += build_duty_for_demo(today=today, leader=leader)  # 战时勤务
    return written
