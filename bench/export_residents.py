#!/usr/bin/env python
"""Time the residents ledger export of the whole station (the work of one export task).

    .venv/bin/python bench/export_residents.py [--var-dir DIR] [--scale 1.0] [--unmasked]

Without --var-dir it first builds the demo district into a fresh temporary var dir (with
bench/demo_build.py, in its own process, so its memory does not count here) and removes
it afterwards. Runs `core.exports.base.export_store` — what `export_task` runs in the
worker — as the station leader for the station unit, then prints the elapsed seconds
(and this process's CPU seconds, which do not depend on what else the machine runs), peak
memory (ru_maxrss of this process), rows, rows per second and the file size.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import time
import uuid

from _district import PROJECT_DIR, setup_django, use_var_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", help="an OUTPOST_VAR_DIR that already holds a demo district")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--unmasked", action="store_true")
    args = parser.parse_args()

    built = None
    var_dir = args.var_dir
    if var_dir is None:
        output = subprocess.run(
            [
                sys.executable,
                str(PROJECT_DIR / "bench" / "demo_build.py"),
                "--keep",
                "--scale",
                str(args.scale),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        built = var_dir = re.search(r"var dir kept: (.+)", output).group(1).strip()
        print(f"demo built:     {var_dir}")
    use_var_dir(var_dir)
    try:
        return run(args)
    finally:
        if built:
            shutil.rmtree(built, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    setup_django()
    from django.contrib.auth.models import User
    from django.core.files.storage import default_storage
    from django.db import connection

    from outpost.core.choices import Role, UnitKind
    from outpost.core.exports.base import export_store, get_export

    leader = User.objects.filter(
        groups__name=Role.STATION_LEADER, staff_profile__unit__kind=UnitKind.STATION
    ).first()
    if leader is None:
        print("no station leader in this database: build the demo district first", file=sys.stderr)
        return 2
    station = leader.staff_profile.unit
    export_id = f"bench-{uuid.uuid4()}"
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu_started = time.process_time()
    started = time.perf_counter()
    ledger = export_store(
        definition=get_export("registry.residents"),
        export_id=export_id,
        params={"unit_id": station.pk},
        acting_user=leader,
        unmasked=args.unmasked,
        reason="bench: time the station's residents ledger",
    )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    size_mb = default_storage.size(ledger.name) / 1024 / 1024
    default_storage.delete(ledger.name)

    print(f"database:       {connection.vendor}")
    print(f"unit:           {station.name} ({'unmasked' if args.unmasked else 'masked'})")
    print(f"rows:           {ledger.rows:,}")
    print(
        f"elapsed:        {elapsed:.2f} s (CPU {cpu:.2f} s: the rest is waiting for a busy machine)"
    )
    print(f"rows/second:    {ledger.rows / elapsed:,.0f}")
    print(f"file:           {size_mb:.1f} MB")
    print(f"peak memory:    {peak_mb:.0f} MB (ru_maxrss; {before_mb:.0f} MB before the export)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
