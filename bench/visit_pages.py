#!/usr/bin/env python
"""Time the campaign progress page and the grid worker's "my grid" page at full demo scale.

    .venv/bin/python bench/visit_pages.py [--scale 1.0] [--seed 2020] [--share 0.5] [--keep]

Builds the demo district into a fresh SQLite file in a temporary OUTPOST_VAR_DIR (or uses
DATABASE_URL, which must point at an empty database), opens a campaign over the station,
records visits for about `--share` of the households with their members (bulk), then
requests each page 10 times through Django's test Client as the user who would open it and
prints the median server time (the whole request inside the process: middleware, view,
queries and template; no network) and the number of queries.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

from _district import demo_database, fresh_var_dir, setup_django

TARGET_MS = 200
REPEAT = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--share", type=float, default=0.5, help="share of households visited")
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    args = parser.parse_args()

    os.environ["ALLOWED_HOSTS"] = "testserver"
    with fresh_var_dir(keep=args.keep) as var_dir:
        return run(args, var_dir)


def run(args: argparse.Namespace, var_dir: Path) -> int:
    setup_django()
    from django.contrib.auth.models import User

    summary = demo_database(scale=args.scale, seed=args.seed)
    if summary is None:
        return 2

    started = time.perf_counter()
    campaign, visits, members = record_visits(share=args.share, seed=args.seed)
    print(
        f"visits:          {visits:,} households visited, {members:,} persons "
        f"({time.perf_counter() - started:.1f} s, bulk)"
    )
    print()

    grid_worker = User.objects.get(username="grid001")
    grid = grid_worker.staff_profile.unit
    community = grid.parent
    pages = [
        ("progress, station (leader)", "leader", f"/registry/campaigns/{campaign.pk}/"),
        ("progress, office (officer01)", "officer01", f"/registry/campaigns/{campaign.pk}/"),
        (
            "progress, community",
            "leader",
            f"/registry/campaigns/{campaign.pk}/?unit={community.pk}",
        ),
        ("progress, grid (grid001)", "grid001", f"/registry/campaigns/{campaign.pk}/"),
        ("my grid (grid001)", "grid001", "/registry/my-grid/"),
        ("my grid, office (officer01)", "officer01", "/registry/my-grid/"),
        ("API progress, station", "leader", f"/api/v1/registry/campaigns/{campaign.pk}/progress"),
    ]
    failed = False
    print(f"{'page':<32}{'median':>9}{'min':>9}{'max':>9}{'queries':>9}")
    for label, username, url in pages:
        median, fastest, slowest, queries = time_page(User.objects.get(username=username), url)
        over = median > TARGET_MS and not label.startswith("my grid, office")
        failed |= over
        flag = "  > target" if over else ""
        print(f"{label:<32}{median:>7.1f}ms{fastest:>7.1f}ms{slowest:>7.1f}ms{queries:>9}{flag}")
    print(f"\ntarget: under {TARGET_MS} ms median server time for the progress pages and my grid")
    return 1 if failed else 0


def record_visits(*, share: float, seed: int):
    """A campaign over the station; `share` of the households visited, members screened."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from outpost.core.choices import Role, UnitKind
    from outpost.core.models import StaffProfile, Unit
    from outpost.registry.choices import MemberPresence, VisitOutcome
    from outpost.registry.models import Household, Resident, Visit, VisitMember
    from outpost.registry.screened import screened_refresh_all
    from outpost.registry.services import campaign_create

    admin = User.objects.get(username="admin")
    station = Unit.objects.get(kind=UnitKind.STATION)
    today = timezone.localdate()
    campaign = campaign_create(
        acting_user=admin,
        name="第一轮入户排查",
        start_date=today - timezone.timedelta(days=3),
        end_date=today + timezone.timedelta(days=11),
        scope_units=[station],
    )
    workers = dict(
        StaffProfile.objects.filter(user__groups__name=Role.GRID_WORKER).values_list(
            "unit_id", "user_id"
        )
    )
    rng = random.Random(seed)
    now = timezone.now()
    chosen = {}
    for pk, unit_id in Household.objects.values_list("pk", "unit_id").iterator():
        if rng.random() < share:
            outcome = VisitOutcome.NOBODY_HOME if rng.random() < 0.06 else VisitOutcome.COMPLETED
            chosen[pk] = Visit(
                unit_id=unit_id,
                campaign=campaign,
                household_id=pk,
                visited_by_id=workers.get(unit_id, admin.pk),
                visited_at=now,
                outcome=outcome,
                phone_confirmed=True,
            )
    with transaction.atomic():
        Visit.objects.bulk_create(chosen.values(), batch_size=2000)
        visit_ids = dict(Visit.objects.filter(campaign=campaign).values_list("household_id", "pk"))
        members = [
            VisitMember(
                visit_id=visit_ids[household_id],
                resident_id=resident_id,
                presence=MemberPresence.PRESENT if rng.random() < 0.9 else MemberPresence.AWAY,
            )
            for resident_id, household_id in Resident.objects.filter(
                household_id__in=[pk for pk, v in chosen.items() if v.outcome == "completed"]
            ).values_list("pk", "household_id")
        ]
        VisitMember.objects.bulk_create(members, batch_size=2000)
        screened_refresh_all()
    return campaign, len(chosen), len(members)


def time_page(user, url: str) -> tuple[float, float, float, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    response = client.get(url)  # warm-up: templates compiled, caches filled
    if response.status_code != 200:
        raise SystemExit(f"{url} as {user}: HTTP {response.status_code}")
    times = []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times), min(times), max(times), len(queries)


if __name__ == "__main__":
    sys.exit(main())
