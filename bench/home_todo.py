#!/usr/bin/env python
"""Time the home page (today's to-do lines) of each demo role on an existing demo database.

    OUTPOST_VAR_DIR=var/demo .venv/bin/python bench/home_todo.py [--repeat 10]

Requests `/` through Django's test Client as leader, officer01, cadre01, grid001,
siteofficer01 and medic01 (`--repeat` times after one warm-up) and prints the median and
the slowest server time and the number of queries; fails above 100 ms median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

TARGET_MS = 100
USERS = ("leader", "officer01", "cadre01", "grid001", "siteofficer01", "medic01")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outpost.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    failed = False
    print(f"{'user':<15}{'median ms':>10}{'max ms':>9}{'queries':>9}  lines")
    for username in USERS:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            continue
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        client.get("/")
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/")
                times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (username, response.status_code)
        lines = response.content.decode().count('<li class="todo-line')
        median = statistics.median(times)
        failed |= median > TARGET_MS
        print(f"{username:<15}{median:>10.1f}{max(times):>9.1f}{len(queries):>9}  {lines}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
