#!/usr/bin/env python
"""Time the demo district build against a fresh database.

    .venv/bin/python bench/demo_build.py [--scale 1.0] [--seed 2020] [--keep]

Uses a fresh SQLite file in a temporary OUTPOST_VAR_DIR. When DATABASE_URL is set it uses
that database instead, and refuses unless it holds no units, users or registry rows.
Prints elapsed seconds, peak memory (ru_maxrss), rows written and rows per second.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

from _district import build_demo, fresh_var_dir, migrate, setup_django

DATA_TABLES = ("core_unit", "auth_user", "registry_household", "registry_resident")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    args = parser.parse_args()

    with fresh_var_dir(keep=args.keep) as var_dir:
        return run(args, var_dir)


def run(args: argparse.Namespace, var_dir: Path) -> int:
    setup_django()
    from django.db import connection

    vendor = connection.vendor
    if "DATABASE_URL" in os.environ:
        tables = set(connection.introspection.table_names())
        with connection.cursor() as cursor:
            for table in DATA_TABLES:
                if table not in tables:
                    continue
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    print(
                        f"refusing: DATABASE_URL points at a database that is not empty "
                        f"({table} has rows); use a fresh database",
                        file=sys.stderr,
                    )
                    return 2

    started = time.perf_counter()
    migrate()
    migrated = time.perf_counter() - started

    started = time.perf_counter()
    summary = build_demo(scale=args.scale, seed=args.seed)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux

    print(
        f"database:       {vendor} ({'DATABASE_URL' if 'DATABASE_URL' in os.environ else var_dir})"
    )
    print(f"scale / seed:   {args.scale} / {args.seed}")
    print(f"migrate:        {migrated:.1f} s")
    print(f"households:     {summary.households:,}")
    print(f"residents:      {summary.residents:,}")
    print(f"landlords:      {summary.landlords:,} ({summary.large_landlords:,} large)")
    print(f"rentals:        {summary.rental_properties:,}")
    print(f"logins:         {summary.users:,}")
    print(f"rows written:   {summary.rows_written:,}")
    print(f"build elapsed:  {elapsed:.2f} s")
    print(f"rows/second:    {summary.rows_written / elapsed:,.0f}")
    print(f"peak memory:    {peak_mb:.0f} MB (ru_maxrss)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
