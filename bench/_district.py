"""What the benches share: a var dir for the settings, Django, migrate, the demo district.

The benches run as scripts (``.venv/bin/python bench/<name>.py``), so this module is
imported as ``_district`` from the script's own folder.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "bench-demo-pass"


def use_var_dir(var_dir: str | Path) -> None:
    """Point the settings at `var_dir`; the settings module reads the environment, so this
    must run before Django starts."""
    os.environ["OUTPOST_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outpost.settings")
    sys.path.insert(0, str(PROJECT_DIR))


@contextmanager
def fresh_var_dir(*, keep: bool, prefix: str = "outpost-bench-") -> Iterator[Path]:
    """A new temporary OUTPOST_VAR_DIR (so a fresh SQLite file), removed afterwards unless
    `keep`; then it is printed as ``var dir kept: DIR`` (export_residents.py reads that)."""
    var_dir = Path(tempfile.mkdtemp(prefix=prefix))
    use_var_dir(var_dir)
    try:
        yield var_dir
    finally:
        if keep:
            print(f"var dir kept: {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def setup_django() -> None:
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def build_demo(*, scale: float, seed: int):
    """The demo district at `scale`; returns its summary."""
    from outpost.demo.district import build_demo_district

    return build_demo_district(scale=scale, seed=seed, password=DEMO_PASSWORD)


def demo_database(*, scale: float, seed: int):
    """Migrate the bench's database and build the demo district in it, printing what was
    built; None (with a message) when DATABASE_URL points at a database already in use."""
    import time

    from django.db import connection

    from outpost.core.models import Unit

    # An empty database has no tables yet: only a migrated one can hold units.
    in_use = Unit._meta.db_table in connection.introspection.table_names()
    if "DATABASE_URL" in os.environ and in_use and Unit.objects.exists():
        print("refusing: DATABASE_URL points at a database that is not empty", file=sys.stderr)
        return None
    started = time.perf_counter()
    migrate()
    summary = build_demo(scale=scale, seed=seed)
    print(f"database:        {connection.vendor}")
    print(
        f"demo district:   {summary.households:,} households, {summary.residents:,} residents, "
        f"{summary.grids} grids ({time.perf_counter() - started:.1f} s)"
    )
    return summary
