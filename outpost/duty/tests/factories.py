"""Duty rows for tests: templates, posts, rosters, shifts, swaps, leave and freezes, and
the duty module's entries of the scoping walks."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.duty.choices import LeaveStatus, PostKind, RosterStatus, SwapStatus
from outpost.duty.models import (
    LeaveFreeze,
    LeaveRequest,
    Post,
    Roster,
    Shift,
    ShiftTemplate,
    SwapRequest,
)

_numbers = itertools.count(1)
HOUR = datetime.timedelta(hours=1)


def person_in(unit, role: Role = Role.POLICE_OFFICER, name: str | None = None):
    number = next(_numbers)
    return staff_user(
        role=role,
        unit=unit,
        username=f"duty-{role.value}-{unit.code}-{number}",
        display_name=name or f"值班员{number}",
    )


def template_in(unit, *, start=datetime.time(8), hours=24, per_day=1, working_days_only=False):
    return ShiftTemplate.objects.create(
        unit=unit,
        name=f"{hours}小时班{next(_numbers)}",
        start_time=start,
        hours=hours,
        shifts_per_day=per_day,
        working_days_only=working_days_only,
    )


def post_in(
    unit,
    *,
    kind=PostKind.DUTY_DESK,
    roles=(Role.POLICE_OFFICER,),
    site=None,
    template=None,
    min_staff=1,
    party=False,
    name=None,
) -> Post:
    return Post.objects.create(
        unit=unit,
        name=name or f"岗位{next(_numbers)}",
        kind=kind,
        site=site,
        template=template or template_in(unit),
        min_staff=min_staff,
        roles=[str(role) for role in roles],
        party_members_only=party,
    )


def roster_in(unit, *, status=RosterStatus.PUBLISHED, first=None, days=7, posts=(), by=None):
    first = first or timezone.localdate()
    roster = Roster.objects.create(
        unit=unit,
        title=f"排班表{unit.code}-{next(_numbers)}",
        starts_on=first,
        ends_on=first + datetime.timedelta(days=days - 1),
        status=status,
        created_by=by or person_in(unit, Role.STATION_LEADER),
    )
    roster.posts.set(posts)
    return roster


def shift_of(user, *, post, roster, starts_at, hours=12) -> Shift:
    return Shift.objects.create(
        unit=user.staff_profile.unit,
        roster=roster,
        post=post,
        user=user,
        starts_at=starts_at,
        ends_at=starts_at + hours * HOUR,
    )


def current_shift_in(grid, *, kind=PostKind.DUTY_DESK, start=None, user=None) -> Shift:
    """A published shift of a new officer of `grid` at a post of `grid`, running now."""
    post = post_in(grid, kind=kind)
    roster = roster_in(grid, posts=[post])
    start = start or timezone.now() - HOUR
    return shift_of(user or person_in(grid), post=post, roster=roster, starts_at=start)


def swap_in(grid) -> SwapRequest:
    shift = current_shift_in(grid, start=timezone.now() + 24 * HOUR)
    return SwapRequest.objects.create(
        unit=shift.unit,
        shift=shift,
        requested_by=shift.user,
        taker=person_in(grid),
        status=SwapStatus.ASKED,
        asked_at=timezone.now(),
    )


def leave_in(grid, *, status=LeaveStatus.GRANTED, user=None, first=None, days=3) -> LeaveRequest:
    user = user or person_in(grid)
    first = first or timezone.localdate() + datetime.timedelta(days=3)
    return LeaveRequest.objects.create(
        unit=user.staff_profile.unit,
        user=user,
        starts_on=first,
        ends_on=first + datetime.timedelta(days=days - 1),
        reason="探亲",
        status=status,
        requested_at=timezone.now(),
    )


def freeze_in(unit, *, units=None, first=None, days=14) -> LeaveFreeze:
    first = first or timezone.localdate()
    freeze = LeaveFreeze.objects.create(
        unit=unit,
        starts_on=first,
        ends_on=first + datetime.timedelta(days=days - 1),
        reason=f"战时停休{next(_numbers)}",
        declared_by=person_in(unit, Role.STATION_LEADER),
        declared_at=timezone.now(),
    )
    freeze.units.set(units or [unit])
    return freeze


def _roster_over(unit, grid_a, grid_b):
    """A station's roster with a shift of a person of each grid."""
    post = post_in(unit)
    roster = roster_in(unit, posts=[post])
    start = timezone.now() + 2 * HOUR
    a = shift_of(person_in(grid_a, name="甲网格值班员"), post=post, roster=roster, starts_at=start)
    b = shift_of(
        person_in(grid_b, name="乙网格值班员"),
        post=post,
        roster=roster,
        starts_at=start + 24 * HOUR,
    )
    return roster, str(a.user.staff_profile), str(b.user.staff_profile)


def _freeze_over(unit, grid_a, grid_b):
    """A station's freeze over both grids, with a granted leave of each grid in conflict."""
    freeze = freeze_in(unit, units=[unit])
    a = leave_in(grid_a, user=person_in(grid_a, name="甲网格休假人"), first=freeze.starts_on)
    b = leave_in(grid_b, user=person_in(grid_b, name="乙网格休假人"), first=freeze.starts_on)
    return freeze, str(a.user.staff_profile), str(b.user.staff_profile)


def pioneer_shift_in(grid) -> Shift:
    """A shift worked yesterday at a pioneer post of `grid`."""
    start = timezone.now() - 30 * HOUR
    return current_shift_in(grid, kind=PostKind.PIONEER, start=start)


SCOPED_FACTORIES = {
    Shift: current_shift_in,
    Roster: lambda grid: roster_in(grid),
    SwapRequest: swap_in,
    LeaveRequest: leave_in,
    LeaveFreeze: lambda grid: freeze_in(grid),
}
ROUTE_FACTORIES = {"duty:pioneer": pioneer_shift_in}
SPANNING_FACTORIES = {Roster: _roster_over, LeaveFreeze: _freeze_over}
