#!/usr/bin/env python
"""Time every page a user reaches from the navigation, their home page, person pages and
the deepest pages of long lists, for the station leader, an officer and a grid worker.

    .venv/bin/python bench/pages.py [--var-dir DIR] [--scale 1.0] [--seed 2020] [--repeat 10]

Without `--var-dir`, builds the full demo district with its 14 days of activity (`outpost
demo`) into a fresh SQLite file in a temporary OUTPOST_VAR_DIR (or into DATABASE_URL, which
must then be empty); with it, uses the demo already built there (`OUTPOST_VAR_DIR=DIR
outpost demo`). Each page is requested `--repeat` times through Django's test Client as the
user (server time inside the process: middleware, view, queries, template; no network),
after one warm-up request, and the table prints the median, the 95th percentile and the
queries of each. Exits 1 when a median is over 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from _district import fresh_var_dir, setup_django, use_var_dir

TARGET_MS = 100
USERS = ("leader", "officer01", "grid001")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", help="use the demo already built in this OUTPOST_VAR_DIR")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    os.environ["ALLOWED_HOSTS"] = "testserver"
    if args.var_dir:
        use_var_dir(Path(args.var_dir).resolve())
        setup_django()
        return run(args)
    with fresh_var_dir(keep=False):
        setup_django()
        if not build(args):
            return 2
        return run(args)


def build(args) -> bool:
    from django.core.management import call_command

    from outpost.core.models import Unit

    started = time.perf_counter()
    # Migrate first: an empty database has no table to ask whether it is empty.
    call_command("migrate", interactive=False, verbosity=0)
    if "DATABASE_URL" in os.environ and Unit.objects.exists():
        print("refusing: DATABASE_URL points at a database that is not empty", file=sys.stderr)
        return False
    call_command("demo", scale=args.scale, seed=args.seed, password="bench-demo-pass")
    print(f"built in {time.perf_counter() - started:.0f} s\n")
    return True


def pages_of(user) -> list[tuple[str, str]]:
    """(label, url) of the pages the user opens: home, the navigation, person pages, the
    last page of each long list."""
    from django.urls import NoReverseMatch, resolve, reverse

    from outpost.core.shell import menu_entries
    from outpost.keypersons.models import KeyPerson
    from outpost.registry.models import Household, Resident

    pages = [("home", reverse("home"))]
    for _group, label, url_name, permission in menu_entries():
        if permission and not user.has_perm(permission):
            continue
        try:
            pages.append((str(label), reverse(url_name)))
        except NoReverseMatch:
            continue
    resident = Resident.objects.visible_to(user).order_by("pk").last()
    if resident:
        pages.append(("resident page", resident.get_absolute_url()))
        pages.append(("household page", resident.household.get_absolute_url()))
    key_person = KeyPerson.objects.visible_to(user).order_by("pk").last()
    if key_person:
        pages.append(("key person page", key_person.get_absolute_url()))
    for label, model, url_name in (
        ("residents, last page", Resident, "registry:resident_list"),
        ("households, last page", Household, "registry:household_list"),
        ("key persons, last page", KeyPerson, "keypersons:list"),
    ):
        view = resolve(reverse(url_name)).func.view_class
        count = model.objects.visible_to(user).count()
        last = max(1, -(-count // view.paginate_by))
        if last > 1:
            pages.append((f"{label} ({last:,})", f"{reverse(url_name)}?page={last}"))
    return list(dict.fromkeys(pages))


def time_page(client, url: str, repeat: int) -> tuple[int, float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status = client.get(url).status_code  # warm-up: templates and caches
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return status, statistics.median(times), p95, queries


def run(args) -> int:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    print(f"database: {connection.vendor}, {args.repeat} requests a page after a warm-up\n")
    print(f"{'user':<10} {'page':<44}{'status':>7}{'median':>9}{'p95':>9}{'queries':>9}")
    over = []
    for username in USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for label, url in pages_of(user):
            status, median, p95, queries = time_page(client, url, args.repeat)
            flag = "  > target" if median > TARGET_MS else ""
            if flag:
                over.append((username, label))
            print(
                f"{username:<10} {label[:43]:<44}{status:>7}{median:>7.1f}ms{p95:>7.1f}ms"
                f"{queries:>9}{flag}"
            )
    print(f"\ntarget: every median under {TARGET_MS} ms; over: {len(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
