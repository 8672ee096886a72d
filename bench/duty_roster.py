#!/usr/bin/env python
"""Time the duty roster: build and check a roster of 200 staff × 10 posts × 90 days, and
ask who is on duty now.

    .venv/bin/python bench/duty_roster.py [--keep]

On a fresh SQLite database: 200 officers and medical staff under one station, 10 posts
(24 h, 12 h day/night and office-hours templates, one a party-member post), then
  - plan + check in memory (`rules.plan`, `rules.check`), the target: under 2 s;
  - `roster_build` (plan and write every shift with its history row) and
    `roster_violations` read back from the database, printed beside it;
  - "who is on duty now": `on_duty_resolve` (what the alert flow asks) and the page's
    `shifts_at` query, median of 50 runs, the target: under 20 ms.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _district import fresh_var_dir, migrate, setup_django

STAFF, POSTS, DAYS = 200, 10, 90


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def _median_ms(fn, runs=50) -> float:
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _district():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from outpost.core.choices import Role, UnitKind
    from outpost.core.models import StaffProfile, Unit
    from outpost.core.roles import roles_sync
    from outpost.duty.choices import PostKind
    from outpost.duty.models import PartyMember, Post, ShiftTemplate

    roles_sync()
    station = Unit.objects.create(
        code="S1", name="哈尔滨路派出所", kind=UnitKind.STATION, path="S1/"
    )
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [user_model(username=f"staff{i:03d}", password="!") for i in range(STAFF)]
    )
    officer = Group.objects.get(name=Role.POLICE_OFFICER)
    medic = Group.objects.get(name=Role.MEDICAL_STAFF)
    through = user_model.groups.through
    through.objects.bulk_create(
        [
            through(user_id=u.pk, group_id=(medic if i % 4 == 0 else officer).pk)
            for i, u in enumerate(users)
        ]
    )
    StaffProfile.objects.bulk_create(
        [
            StaffProfile(user=u, unit=station, display_name=f"值班员{i:03d}")
            for i, u in enumerate(users)
        ]
    )
    PartyMember.objects.bulk_create([PartyMember(user=u, unit=station) for u in users[::3]])
    templates = [
        ShiftTemplate.objects.create(
            unit=station, name="24小时", start_time=datetime.time(8), hours=24
        ),
        ShiftTemplate.objects.create(
            unit=station, name="12小时", start_time=datetime.time(8), hours=12, shifts_per_day=2
        ),
        ShiftTemplate.objects.create(
            unit=station,
            name="办公",
            start_time=datetime.time(8, 30),
            hours=9,
            working_days_only=True,
        ),
    ]
    posts = []
    for i in range(POSTS):
        kind = [
            PostKind.ISOLATION_SITE,
            PostKind.DUTY_DESK,
            PostKind.PATROL,
            PostKind.PLATFORM_WATCH,
        ][i % 4]
        posts.append(
            Post.objects.create(
                unit=station,
                name=f"岗位{i + 1}",
                kind=PostKind.PIONEER if i == 9 else kind,
                template=templates[i % 3],
                min_staff=2,
                roles=[Role.MEDICAL_STAFF.value] if i % 5 == 0 else [Role.POLICE_OFFICER.value],
                party_members_only=i == 9,
            )
        )
    leader = user_model.objects.create(username="leader")
    leader.groups.add(Group.objects.get(name=Role.STATION_LEADER))
    StaffProfile.objects.create(user=leader, unit=station, display_name="所长")
    return station, posts, user_model.objects.get(pk=leader.pk)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    with fresh_var_dir(keep=args.keep):
        setup_django()
        migrate()
        from django.utils import timezone

        from outpost.core.choices import Role
        from outpost.duty import rules, selectors
        from outpost.duty.choices import RosterStatus
        from outpost.duty.services import roster_build

        station, posts, leader = _district()
        first = timezone.localdate()
        last = first + datetime.timedelta(days=DAYS - 1)
        setup = selectors.setup_for(posts=posts, min_rest_hours=12, first=first, last=last)
        planned, plan_s = _timed(lambda: rules.plan(setup, first, last))
        violations, check_s = _timed(lambda: rules.check(setup, planned, first, last))
        print(f"staff {STAFF}, posts {POSTS}, days {DAYS}: {len(planned)} shifts")
        print(
            f"plan + check in memory: {plan_s + check_s:.2f} s "
            f"(plan {plan_s:.2f} s, check {check_s:.2f} s, {len(violations)} violations); target < 2 s"
        )
        roster, build_s = _timed(
            lambda: roster_build(
                acting_user=leader,
                unit=station,
                title="季度排班",
                starts_on=first,
                ends_on=last,
                posts=posts,
                min_rest_hours=12,
            )
        )
        checked, read_check_s = _timed(lambda: selectors.roster_violations(roster))
        print(
            f"roster_build with its writes: {build_s:.2f} s; check read back: {read_check_s:.2f} s "
            f"({len(checked)} violations)"
        )
        roster.status = RosterStatus.PUBLISHED
        roster.save(update_fields=["status"])
        now = timezone.now()
        site_post = posts[0]
        resolve_ms = _median_ms(
            lambda: selectors.on_duty_resolve(
                station, post_kind=site_post.kind, role=Role.MEDICAL_STAFF, at=now
            )
        )
        page_ms = _median_ms(lambda: list(selectors.shifts_at(user=leader, at=now)))
        print(
            f"who is on duty now: resolver {resolve_ms:.1f} ms, page query {page_ms:.1f} ms "
            "(median of 50); target < 20 ms"
        )
        ok = plan_s + check_s < 2 and max(resolve_ms, page_ms) < 20
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
