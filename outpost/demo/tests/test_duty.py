"""The demo's duty: the hotel and the duty desk staffed around the clock for 14 days back
and 14 forward, without breaking a rule, and a leave freeze with leave in conflict."""

import datetime

import pytest
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.on_duty import on_duty_users
from outpost.core.tests.factories import staff_user
from outpost.demo.duty import build_duty
from outpost.duty import selectors
from outpost.duty.choices import LeaveStatus, RosterStatus, ViolationKind
from outpost.duty.models import LeaveFreeze, Roster
from outpost.observation.tests.factories import IsolationSiteFactory

pytestmark = pytest.mark.django_db


def test_the_demo_rosters_the_hotel_and_the_desk_around_the_clock(district):
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    for n in range(1, 6):
        staff_user(role=Role.POLICE_OFFICER, unit=district.office, username=f"officer{n:02d}")
    staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="siteofficer01")
    doctors = [
        staff_user(role=Role.MEDICAL_STAFF, unit=district.station, username=f"doctor0{n}")
        for n in (1, 2)
    ]
    site = IsolationSiteFactory(unit=district.station)
    today = timezone.localdate()
    assert build_duty(station=district.station, site=site, today=today, leader=leader) > 0

    roster = Roster.objects.get()
    assert roster.status == RosterStatus.PUBLISHED
    assert (roster.starts_on, roster.ends_on) == (
        today - datetime.timedelta(days=14),
        today + datetime.timedelta(days=13),
    )
    # Only the leave granted before the freeze breaks a rule: published with the reason.
    assert {v.kind for v in selectors.roster_violations(roster)} <= {ViolationKind.LEAVE}
    assert roster.override_reason
    on_duty = on_duty_users(district.grid_a1, site_id=site.pk, role=Role.MEDICAL_STAFF)
    assert len(on_duty) == 1 and on_duty[0] in doctors
    freeze = LeaveFreeze.objects.get()
    conflicts = selectors.leave_in_conflict(freeze=freeze, user=leader)
    assert [leave.status for leave in conflicts] == [LeaveStatus.GRANTED]
