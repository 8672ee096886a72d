"""Reads of the duty module: the rules' setup for a roster, its violations, who is on duty
at a moment (for pages and for the alert, dispatch and escalation flows through
`outpost.core.on_duty`), a person's next shifts, leave in conflict with a freeze, and the
pioneer post record taken from the check-ins and alerts of each shift's time window."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from outpost.core.models import StaffProfile, Unit
from outpost.core.scoping import lineage_paths
from outpost.duty import rules
from outpost.duty.choices import LeaveStatus, PostKind, RosterStatus
from outpost.duty.models import (
    LeaveFreeze,
    LeaveRequest,
    PairRule,
    PartyMember,
    Post,
    Roster,
    Shift,
)

ON_LEAVE = (LeaveStatus.GRANTED, LeaveStatus.EXCEPTION)


def _name(profile_name: str | None, username: str) -> str:
    return profile_name or username


def people_info(
    *, posts: list[Post], user_ids=(), first: datetime.date, last: datetime.date
) -> dict[int, rules.PersonInfo]:
    """Everyone who may fill one of `posts` (by unit and role), and the people `user_ids`
    named on shifts, with their roles, party membership and leave over the period: four
    queries whatever the number of people."""
    units = Q(unit__path__startswith="\0")
    if posts:
        units = reduce(or_, (Q(unit__path__startswith=p.unit.path) for p in posts))
    roles = {role for post in posts for role in post.roles}
    rows = (
        StaffProfile.objects.filter(user__is_active=True)
        .filter((units & Q(user__groups__name__in=roles)) | Q(user_id__in=list(user_ids)))
        .values_list("user_id", "display_name", "user__username", "unit__path")
        .distinct()
    )
    base = {uid: (name, username, path) for uid, name, username, path in rows}
    held = defaultdict(set)
    for uid, role in (
        get_user_model()
        .groups.through.objects.filter(user_id__in=base)
        .values_list("user_id", "group__name")
    ):
        held[uid].add(role)
    party = set(PartyMember.objects.filter(user_id__in=base).values_list("user_id", flat=True))
    leave = defaultdict(list)
    for uid, start, end in LeaveRequest.objects.filter(
        user_id__in=base, status__in=ON_LEAVE, starts_on__lte=last, ends_on__gte=first
    ).values_list("user_id", "starts_on", "ends_on"):
        leave[uid].append((start, end))
    return {
        uid: rules.PersonInfo(
            id=uid,
            name=_name(name, username),
            unit_path=path,
            roles=frozenset(held[uid]),
            party=uid in party,
            leave=tuple(leave[uid]),
        )
        for uid, (name, username, path) in base.items()
    }


def post_info(post: Post) -> rules.PostInfo:
    template = post.template
    return rules.PostInfo(
        id=post.pk,
        name=post.name,
        unit_path=post.unit.path,
        roles=frozenset(post.roles),
        min_staff=post.min_staff,
        party_only=post.party_members_only,
        start_time=template.start_time,
        hours=template.hours,
        shifts_per_day=template.shifts_per_day,
        working_days_only=template.working_days_only,
    )


def setup_for(*, posts: list[Post], min_rest_hours: int, first, last, user_ids=()) -> rules.Setup:
    pairs = PairRule.objects.filter(post__in=posts).values_list("post_id", "first_id", "second_id")
    return rules.Setup(
        posts={post.pk: post_info(post) for post in posts},
        people=people_info(posts=posts, user_ids=user_ids, first=first, last=last),
        pairs=list(pairs),
        min_rest=datetime.timedelta(hours=min_rest_hours),
    )


def roster_posts(roster: Roster) -> list[Post]:
    return list(roster.posts.select_related("unit", "template").order_by("pk"))


def roster_shift_rows(roster: Roster) -> list[rules.ShiftRow]:
    return [
        rules.ShiftRow(post_id, user_id, start, end, pk)
        for pk, post_id, user_id, start, end in Shift.objects.filter(roster=roster).values_list(
            "pk", "post_id", "user_id", "starts_at", "ends_at"
        )
    ]


def roster_violations(roster: Roster) -> list[rules.Violation]:
    """Every rule the roster breaks now (the whole roster, whoever looks: publishing is
    decided on all of it)."""
    shifts = roster_shift_rows(roster)
    setup = setup_for(
        posts=roster_posts(roster),
        min_rest_hours=roster.min_rest_hours,
        first=roster.starts_on,
        last=roster.ends_on,
        user_ids={row.user_id for row in shifts},
    )
    return rules.check(setup, shifts, roster.starts_on, roster.ends_on)


def qualified_users(post: Post):
    """The active staff who may fill the post: one of its roles, under its unit, and a
    party member where the post asks for one."""
    users = get_user_model().objects.filter(
        is_active=True,
        groups__name__in=post.roles,
        staff_profile__unit__path__startswith=post.unit.path,
    )
    if post.party_members_only:
        users = users.filter(party_membership__isnull=False)
    return users.select_related("staff_profile").distinct().order_by("staff_profile__display_name")


# ---------------------------------------------------------------------------- on duty


def posts_seen(*, user):
    """The posts of the user's scope and of the shifts they see (a community's officer
    sees the station's posts its people stand at)."""
    return Post.objects.filter(
        Q(pk__in=Post.objects.visible_to(user).values("pk"))
        | Q(pk__in=Shift.objects.visible_to(user).values("post_id"))
    )


def shifts_at(*, user, at: datetime.datetime, unit: Unit | None = None, post: Post | None = None):
    """The published shifts the user may see that run at `at`."""
    shifts = Shift.objects.visible_to(user).filter(
        roster__status=RosterStatus.PUBLISHED, starts_at__lte=at, ends_at__gt=at
    )
    if unit is not None:
        shifts = shifts.within(unit)
    if post is not None:
        shifts = shifts.filter(post=post)
    return shifts.select_related("post", "user__staff_profile__unit").order_by("post__name", "pk")


def on_duty_resolve(unit, *, post_kind=None, role=None, site_id=None, at) -> list | None:
    """The resolver registered with `outpost.core.on_duty`: who is on duty at `at` at the
    posts of `unit` (its own or one above it) or of the isolation site `site_id`."""
    posts = Post.objects.filter(is_active=True)
    if site_id is not None:
        posts = posts.filter(site_id=site_id)
    else:
        posts = posts.filter(unit__path__in=lineage_paths(unit.path))
    if post_kind:
        posts = posts.filter(kind=post_kind)
    shifts = Shift.objects.filter(
        post__in=posts, roster__status=RosterStatus.PUBLISHED, starts_at__lte=at, ends_at__gt=at
    )
    users = get_user_model().objects.filter(is_active=True, pk__in=shifts.values("user_id"))
    if role:
        users = users.filter(groups__name=role)
    found = list(users.select_related("staff_profile").order_by("pk"))
    return found or None


def upcoming_shifts(*, user, now: datetime.datetime | None = None):
    """The user's own published shifts not yet over, soonest first."""
    now = now or timezone.now()
    return (
        Shift.objects.filter(user=user, roster__status=RosterStatus.PUBLISHED, ends_at__gt=now)
        .select_related("post", "roster")
        .order_by("starts_at", "pk")
    )


# ---------------------------------------------------------------------------- leave


def freezes_covering(*, unit: Unit, first: datetime.date, last: datetime.date):
    """The freezes over any day of [first, last] whose units hold `unit`."""
    return (
        LeaveFreeze.objects.filter(
            units__path__in=lineage_paths(unit.path), starts_on__lte=last, ends_on__gte=first
        )
        .distinct()
        .order_by("starts_on")
    )


def leave_in_conflict(*, freeze: LeaveFreeze, user):
    """Leave granted (not as an exception) that the freeze covers, among what `user` sees."""
    paths = list(freeze.units.values_list("path", flat=True))
    under = reduce(or_, (Q(unit__path__startswith=p) for p in paths), Q(pk__in=[]))
    return (
        LeaveRequest.objects.visible_to(user)
        .filter(under, status=LeaveStatus.GRANTED)
        .filter(starts_on__lte=freeze.ends_on, ends_on__gte=freeze.starts_on)
        .select_related("user__staff_profile", "unit")
    )


def conflicting_leave_ids(leaves) -> set[int]:
    """Of `leaves`, those granted (not as an exception) on a day a freeze covers them."""
    found = set()
    for leave in leaves:
        if (
            leave.status == LeaveStatus.GRANTED
            and freezes_covering(
                unit=leave.unit, first=leave.starts_on, last=leave.ends_on
            ).exists()
        ):
            found.add(leave.pk)
    return found


# ---------------------------------------------------------------------------- pioneer record


@dataclass
class WorkedShift:
    shift: Shift
    check_ins: int = 0
    alerts: int = 0


@dataclass
class PioneerRecord:
    shifts: list[WorkedShift] = field(default_factory=list)
    by_person: dict = field(default_factory=dict)  # name -> [shifts, hours, check-ins, alerts]
    by_post: dict = field(default_factory=dict)


def tasks_during(shifts: list[Shift]) -> list[WorkedShift]:
    """Each shift with the check-ins its person recorded and the alerts they acknowledged
    at its post's site while it ran: two queries, whatever the number of shifts."""
    from outpost.observation.models import Alert, CheckIn

    worked = [WorkedShift(shift) for shift in shifts]
    site_ids = {s.post.site_id for s in shifts if s.post.site_id}
    if not site_ids:
        return worked
    user_ids = {s.user_id for s in shifts}
    start = min(s.starts_at for s in shifts)
    end = max(s.ends_at for s in shifts)
    found = {"check_ins": defaultdict(list), "alerts": defaultdict(list)}
    queries = (
        ("check_ins", CheckIn, "recorded_by_id", "taken_at"),
        ("alerts", Alert, "acknowledged_by_id", "acknowledged_at"),
    )
    for key, model, who, at_field in queries:
        rows = model.objects.filter(
            **{f"{who}__in": user_ids, f"{at_field}__gte": start, f"{at_field}__lt": end},
            episode__site_id__in=site_ids,
        ).values_list(who, "episode__site_id", at_field)
        for uid, site_id, at in rows:
            found[key][(uid, site_id)].append(at)
    for line in worked:
        shift = line.shift
        where = (shift.user_id, shift.post.site_id)
        line.check_ins = sum(
            shift.starts_at <= at < shift.ends_at for at in found["check_ins"][where]
        )
        line.alerts = sum(shift.starts_at <= at < shift.ends_at for at in found["alerts"][where])
    return worked


def person_name(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else user.get_username()


def summarise(worked: list[WorkedShift]) -> tuple[dict, dict]:
    """Per person and per post: [shifts, hours, check-ins, alerts acknowledged]."""
    by_person: dict = {}
    by_post: dict = {}
    for line in worked:
        shift = line.shift
        hours = (shift.ends_at - shift.starts_at).total_seconds() / 3600
        for table, name in ((by_person, person_name(shift.user)), (by_post, shift.post.name)):
            row = table.setdefault(name, [0, 0.0, 0, 0])
            row[0] += 1
            row[1] += hours
            row[2] += line.check_ins
            row[3] += line.alerts
    return by_person, by_post


def pioneer_record(*, user, first: datetime.date, last: datetime.date, now=None) -> PioneerRecord:
    """The shifts worked at the pioneer posts (published, over by `now`) that began between
    the China dates `first` and `last`, each with the tasks done during it (`tasks_during`):
    from the records, never typed in."""
    now = now or timezone.now()
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=rules.CHINA)
    end = datetime.datetime.combine(
        last + datetime.timedelta(days=1), datetime.time(), tzinfo=rules.CHINA
    )
    shifts = list(
        Shift.objects.visible_to(user)
        .filter(
            post__kind=PostKind.PIONEER,
            roster__status=RosterStatus.PUBLISHED,
            starts_at__gte=start,
            starts_at__lt=end,
            ends_at__lte=now,
        )
        .select_related("post", "user__staff_profile")
        .order_by("starts_at", "pk")
    )
    worked = tasks_during(shifts)
    by_person, by_post = summarise(worked)
    return PioneerRecord(shifts=worked, by_person=by_person, by_post=by_post)
