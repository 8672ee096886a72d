"""The demo's wartime duty (战时勤务): a 24/7 roster of the isolation hotel (its doctors in
12-hour day and night shifts, a party-member pioneer post of officers around the clock)
and of the station's duty desk, 14 days back and 14 forward, published; a leave freeze
over the station for those days, with one leave granted before it (in conflict) and one
refused inside it."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from simple_history.utils import bulk_create_with_history

from outpost.core.choices import Role
from outpost.core.models import StaffProfile, Unit
from outpost.duty import rules, selectors
from outpost.duty.choices import LeaveStatus, PostKind, RosterStatus
from outpost.duty.models import (
    LeaveFreeze,
    LeaveRequest,
    PartyMember,
    Post,
    Roster,
    Shift,
    ShiftTemplate,
)

DAYS_BACK, DAYS_FORWARD = 14, 14


def _users(names):
    users = get_user_model().objects.filter(username__in=names).select_related("staff_profile")
    return sorted(users, key=lambda user: user.username)


def build_duty(*, station: Unit, site, today: datetime.date, leader) -> int:
    """Write the demo's duty rows; returns how many rows were written."""
    officers = _users([f"officer{n:02d}" for n in range(1, 11)] + ["siteofficer01"])
    doctors = _users(["doctor01", "doctor02"])
    if not officers or not doctors or leader is None:
        return 0
    party = [u for u in officers if u.username in ("officer01", "officer02", "siteofficer01")]
    PartyMember.objects.bulk_create(
        [PartyMember(user=u, unit_id=u.staff_profile.unit_id) for u in party]
    )
    day_night = ShiftTemplate.objects.create(
        unit=station, name="12小时白夜班", start_time=datetime.time(8), hours=12, shifts_per_day=2
    )
    round_the_clock = ShiftTemplate.objects.create(
        unit=station, name="24小时值班（上一休二）", start_time=datetime.time(8), hours=24
    )
    ShiftTemplate.objects.create(
        unit=station,
        name="办公时间",
        start_time=datetime.time(8, 30),
        hours=9,
        working_days_only=True,
    )
    posts = [
        Post.objects.create(
            unit=station,
            name="隔离酒店医护岗",
            kind=PostKind.ISOLATION_SITE,
            site=site,
            template=day_night,
            roles=[Role.MEDICAL_STAFF.value],
        ),
        Post.objects.create(
            unit=station,
            name="隔离酒店党员先锋岗",
            kind=PostKind.PIONEER,
            site=site,
            template=round_the_clock,
            roles=[Role.POLICE_OFFICER.value],
            party_members_only=True,
        ),
        Post.objects.create(
            unit=station,
            name="所值班台",
            kind=PostKind.DUTY_DESK,
            template=round_the_clock,
            roles=[Role.POLICE_OFFICER.value],
        ),
    ]
    first = today - datetime.timedelta(days=DAYS_BACK)
    last = today + datetime.timedelta(days=DAYS_FORWARD - 1)
    roster = Roster.objects.create(
        unit=station,
        title="战时勤务排班表",
        starts_on=first,
        ends_on=last,
        min_rest_hours=12,
        status=RosterStatus.PUBLISHED,
        # The leave granted before the freeze is in conflict with the rotation.
        override_reason="停休令前已批准的探亲假由值班台其他民警顶岗",
        created_by=leader,
        published_by=leader,
        published_at=datetime.datetime.combine(first, datetime.time(7), tzinfo=rules.CHINA)
        - datetime.timedelta(days=1),
    )
    roster.posts.set(posts)
    setup = selectors.setup_for(posts=posts, min_rest_hours=12, first=first, last=last)
    units = dict(
        StaffProfile.objects.filter(user_id__in=setup.people).values_list("user_id", "unit_id")
    )
    shifts = bulk_create_with_history(
        [
            Shift(
                unit_id=units[row.user_id],
                roster=roster,
                post_id=row.post_id,
                user_id=row.user_id,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
            )
            for row in rules.plan(setup, first, last)
        ],
        Shift,
        default_user=leader,
    )
    freeze = LeaveFreeze.objects.create(
        unit=station,
        starts_on=first,
        ends_on=last,
        reason="疫情防控战时状态，全所停止休假",
        declared_by=leader,
        declared_at=datetime.datetime.combine(first, datetime.time(9), tzinfo=rules.CHINA),
    )
    freeze.units.set([station])
    granted_before, refused = officers[3], officers[4]
    LeaveRequest.objects.bulk_create(
        [
            LeaveRequest(
                unit_id=granted_before.staff_profile.unit_id,
                user=granted_before,
                starts_on=today + datetime.timedelta(days=3),
                ends_on=today + datetime.timedelta(days=5),
                reason="探亲（停休令前已批）",
                status=LeaveStatus.GRANTED,
                requested_at=datetime.datetime.combine(
                    first - datetime.timedelta(days=3), datetime.time(10), tzinfo=rules.CHINA
                ),
            ),
            LeaveRequest(
                unit_id=refused.staff_profile.unit_id,
                user=refused,
                starts_on=today + datetime.timedelta(days=1),
                ends_on=today + datetime.timedelta(days=2),
                reason="个人事务",
                status=LeaveStatus.REFUSED,
                requested_at=datetime.datetime.combine(today, datetime.time(9), tzinfo=rules.CHINA),
            ),
        ]
    )
    return len(party) + 3 + len(posts) + 1 + len(shifts) + 1 + 2


def build_duty_for_demo(*, today: datetime.date, leader) -> int:
    """The demo's duty at its station and isolation hotel (none yet: nothing)."""
    from outpost.observation.models import IsolationSite

    site = IsolationSite.objects.select_related("unit").order_by("pk").first()
    if site is None:
        return 0
    return build_duty(station=site.unit, site=site, today=today, leader=leader)
