#!/usr/bin/env python
"""Time and peak memory of reading each hostile upload through the real reader.

    .venv/bin/python bench/hostile_uploads.py [--keep]

Writes the hostile files of `outpost.core.tests.hostile_files` (a sparse sheet with a value
in XFD1048576, a declared whole-grid dimension, A1 + GR400000, a 1 GB zip bomb, 10,000
empty sheets, markup nested 100,000 deep, 2,000,000 stray elements, 80 MB of shared
strings, a csv of one 200 MB line) into a temporary folder, then reads each in a child
process as the worker does (open the workbook, every sheet's merged cells and rows), under
the registry import's limits and under a feed's larger ones. Prints, per file and limits,
the outcome (the message the user sees, or "read"), the wall time and the child's peak
memory (ru_maxrss, including some 60 MB of interpreter and Django). The issue's bar: a
clean error within 10 s and 500 MB each. A child is limited to 4 GB of address space, so a
regression fails here instead of taking the machine down.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _district import PROJECT_DIR

CHILD = r"""
import json, os, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
sys.path.insert(0, os.environ["OUTPOST_PROJECT_DIR"])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outpost.settings")
import django
django.setup()
from django.utils import translation
from outpost.core.imports.readers import ImportFileError, open_workbook
from outpost.core.imports.workbook import read_limits
from outpost.screening.imports import FEED_MAX_BYTES, FEED_MAX_ROWS

path, limits = sys.argv[1], sys.argv[2]
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
outcome, rows = "read", 0
with translation.override("en"):
    try:
        if limits == "feed":
            context = read_limits(max_bytes=FEED_MAX_BYTES, max_rows=FEED_MAX_ROWS)
        else:
            context = read_limits(max_bytes=100 << 20, max_rows=500_000)
        with context, open_workbook(path) as book:
            for name in book.sheet_names:
                sheet = book.sheet(name)
                sheet.merged
                for _row in sheet.rows():
                    rows += 1
    except ImportFileError as exc:
        outcome = str(exc)
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "outcome": outcome,
    "rows": rows,
    "baseline_mb": baseline / 1024,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the hostile files")
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_DIR))
    from outpost.core.tests.hostile_files import HOSTILE

    folder = Path(tempfile.mkdtemp(prefix="outpost-hostile-"))
    var_dir = Path(tempfile.mkdtemp(prefix="outpost-bench-var-"))
    env = dict(os.environ, OUTPOST_VAR_DIR=str(var_dir), OUTPOST_PROJECT_DIR=str(PROJECT_DIR))
    env.pop("DATABASE_URL", None)
    worst_seconds = worst_mb = 0.0
    try:
        print(f"{'file':28} {'size':>9} {'limits':7} {'time':>7} {'peak':>8}  outcome")
        for label, make in HOSTILE.items():
            path = make(folder)
            size = path.stat().st_size
            for limits in ("import", "feed"):
                started = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, str(path), limits],
                    capture_output=True,
                    text=True,
                    env=env,
                    timeout=120,
                )
                wall = time.perf_counter() - started
                if done.returncode != 0:
                    print(f"{label:28} {_size(size):>9} {limits:7} {wall:6.1f}s {'—':>8}  "
                          f"CRASHED (exit {done.returncode}): {done.stderr.strip()[-200:]}")  # fmt: skip
                    worst_seconds = max(worst_seconds, wall)
                    continue
                result = json.loads(done.stdout.strip().splitlines()[-1])
                worst_seconds = max(worst_seconds, result["seconds"])
                worst_mb = max(worst_mb, result["peak_mb"])
                outcome = result["outcome"]
                if outcome == "read":
                    outcome = f"read ({result['rows']:,} rows)"
                print(
                    f"{label:28} {_size(size):>9} {limits:7} {result['seconds']:6.2f}s "
                    f"{result['peak_mb']:6.0f}MB  {outcome[:110]}"
                )
            if not args.keep:
                path.unlink()
        print(f"worst: {worst_seconds:.2f} s, {worst_mb:.0f} MB (bar: 10 s, 500 MB)")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        if args.keep:
            print(f"hostile files kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0 if worst_seconds < 10 and worst_mb < 500 else 1


def _size(size: int) -> str:
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB"
    return f"{size / 1024:.1f} KB"


if __name__ == "__main__":
    raise SystemExit(main())
