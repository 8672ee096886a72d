#!/usr/bin/env python
"""Time the reading of an arrival feed by the worker, csv and xlsx.

    .venv/bin/python bench/feed_parse.py [--rows 200000] [--format csv|xlsx|both] [--keep]

Builds the demo district's units into a fresh SQLite file in a temporary OUTPOST_VAR_DIR,
writes a feed of ``--rows`` passengers (name, ID, phone, origin, arrival date, train, seat;
valid values, as most rows of a real feed are), then in a child process per format runs
the upload as the request does (`feed_upload`: the check of the top of the file) and the
reading as the worker does (`feed_read`: every row parsed, stored in batches, progress
reported). Prints both times, rows per second of the reading (wall clock and per CPU second of the
worker, the fairer figure when the machine is shared) and the child's peak memory
(ru_maxrss).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from _district import PROJECT_DIR, build_demo, fresh_var_dir, migrate, setup_django

HEADINGS = ["姓名", "身份证号", "手机号", "出发地", "到达日期", "车次", "座位号"]
ORIGINS = ["湖北省武汉市江汉区", "武汉", "孝感", "北京", "上海", "大连", "黄冈市"]
REGIONS = ["420102", "420103", "110101", "310101", "210204", "420900", "421100"]


def feed_rows(count: int, seed: int = 2020):
    from outpost.core.validators import id_check_character

    rnd = random.Random(seed)
    start = datetime.date(2020, 1, 1)
    for n in range(count):
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rnd.randrange(25_000))
        first17 = f"{rnd.choice(REGIONS)}{born:%Y%m%d}{rnd.randrange(1000):03d}"
        yield [
            f"旅客{n}",
            first17 + id_check_character(first17),
            f"13{rnd.randrange(10**9):09d}",
            rnd.choice(ORIGINS),
            start + datetime.timedelta(days=rnd.randrange(40)),
            f"G{rnd.randrange(1, 9999)}",
            f"{rnd.randrange(1, 17):02d}车{rnd.randrange(1, 20)}F",
        ]


def write_feed(path: Path, count: int) -> None:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADINGS)
            writer.writerows(feed_rows(count))
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("旅客")
    sheet.append(HEADINGS)
    for row in feed_rows(count):
        sheet.append(row)
    book.save(path)


def child(path: Path) -> int:
    """Upload and read one feed in this process; print the figures."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from outpost.core.models import Unit
    from outpost.demo.district import STATION_CODE
    from outpost.screening.models import FeedRow
    from outpost.screening.services.feeds import feed_read
    from outpost.screening.services.starts import feed_upload

    user = get_user_model().objects.get(username="admin")
    unit = Unit.objects.get(code=STATION_CODE)
    started = time.perf_counter()
    with path.open("rb") as handle:
        feed = feed_upload(
            acting_user=user, unit=unit, source_type="rail", file=File(handle, name=path.name)
        )
    uploaded = time.perf_counter() - started
    started, cpu_started = time.perf_counter(), time.process_time()
    feed = feed_read(acting_user=user, feed=feed)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stored = FeedRow.objects.filter(feed=feed).count()
    print(f"{path.suffix[1:]:5} upload (request): {uploaded:6.2f} s (incl. keeping the file)")
    print(f"{path.suffix[1:]:5} read (worker):    {elapsed:6.2f} s, {feed.status}, "
          f"{stored:,} rows stored, {feed.error_rows:,} with problems")  # fmt: skip
    print(f"{path.suffix[1:]:5} rows/second:      {stored / elapsed:,.0f} (wall clock); "
          f"{stored / cpu:,.0f} per CPU second ({cpu:.1f} s of CPU: on a busy machine "
          "the fairer figure)")  # fmt: skip
    print(f"{path.suffix[1:]:5} peak memory:      {peak_mb:.0f} MB (ru_maxrss of the process)")
    return 0 if stored else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--format", choices=("csv", "xlsx", "both"), default="both")
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)

    os.environ.pop("DATABASE_URL", None)  # always a fresh SQLite file
    with fresh_var_dir(keep=args.keep, prefix="outpost-bench-feed-") as var_dir:
        setup_django()
        migrate()
        build_demo(scale=0.001, seed=2020)
        status = 0
        for suffix in ("csv", "xlsx") if args.format == "both" else (args.format,):
            path = var_dir / f"feed.{suffix}"
            started = time.perf_counter()
            write_feed(path, args.rows)
            print(f"{suffix:5} file:             {args.rows:,} rows, "
                  f"{path.stat().st_size / 1e6:.1f} MB (written in "
                  f"{time.perf_counter() - started:.1f} s)")  # fmt: skip
            command = [sys.executable, __file__, "--child", str(path)]
            result = subprocess.run(command, cwd=PROJECT_DIR, env=os.environ)
            status = status or result.returncode
        return status


if __name__ == "__main__":
    sys.exit(main())
