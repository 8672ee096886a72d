#!/usr/bin/env python
"""Time the residents import of a full-size residents workbook, end to end.

    .venv/bin/python bench/import_residents.py [--rows 116782] [--scale 0.01] [--keep]

Builds the demo district's units (and a few residents, ``--scale``) into a fresh SQLite
file in a temporary OUTPOST_VAR_DIR, writes a workbook shaped like the ones communities
keep (a title row, a blank row, Chinese headings; one row per person with household
number, address and grid) from the demo district's own generator at full size, then runs
``outpost import residents FILE --unit <station> --user admin`` in a child process: read,
find header, map, validate every row, commit in one transaction. Prints the time, the
child's peak memory (ru_maxrss) and rows per second; the issue's target is under 30 s and
under 1 GB for 116,782 rows.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from _district import PROJECT_DIR, build_demo, fresh_var_dir, migrate, setup_django

FULL_RESIDENTS = 116_782


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=FULL_RESIDENTS)
    parser.add_argument("--scale", type=float, default=0.01, help="demo district already there")
    parser.add_argument("--seed", type=int, default=2021, help="seed of the workbook's people")
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    args = parser.parse_args()

    os.environ.pop("DATABASE_URL", None)  # always a fresh SQLite file
    with fresh_var_dir(keep=args.keep, prefix="outpost-bench-import-") as var_dir:
        return run(args, var_dir)


def write_workbook(path: Path, rows: int, seed: int) -> int:
    """A residents workbook from the demo generator at full size; returns the data rows."""
    from openpyxl import Workbook

    from outpost.demo.district import plan_demo_district
    from outpost.registry.choices import RelationToHead, ResidenceType

    plan = plan_demo_district(scale=max(rows / FULL_RESIDENTS, 0.001), seed=seed)
    grid_names = {u.code: u.name for u in plan.units}
    relation = {
        RelationToHead.HEAD: "户主", RelationToHead.SPOUSE: "配偶", RelationToHead.CHILD: "子女",
        RelationToHead.PARENT: "父母", RelationToHead.GRANDCHILD: "孙子女",
        RelationToHead.TENANT: "租户", RelationToHead.OTHER: "其他",
    }  # fmt: skip
    residence = {
        ResidenceType.PERMANENT: "常住", ResidenceType.TEMPORARY: "暂住",
        ResidenceType.FLOATING: "流动",
    }  # fmt: skip
    book = Workbook(write_only=True)
    sheet = book.create_sheet("居民信息")
    sheet.append(["哈尔滨路派出所辖区居民信息登记表"])
    sheet.append([])
    sheet.append(
        ["序号", "户号", "姓名", "性别", "公民身份号码", "出生日期", "与户主关系", "联系电话",
         "人口类型", "工作单位", "现住址", "所属网格", "证件类型", "证件号码"]
    )  # fmt: skip
    written = 0
    for resident in plan.residents[:rows]:
        household = plan.households[resident.household]
        entrance = f"{household.entrance}单元" if household.entrance else ""
        address = f"{household.street}{household.building}号{entrance}{household.room}室"
        passport = resident.document_type != "resident_id"
        written += 1
        sheet.append(
            [
                written,
                household.number,
                resident.name,
                "男" if resident.sex == "M" else "女",
                "" if passport else resident.id_number,
                resident.birth_date,
                relation[resident.relation],
                resident.phone,
                residence[resident.residence_type],
                resident.workplace,
                address,
                grid_names[household.grid_code],
                "护照" if passport else "居民身份证",
                resident.document_number if passport else "",
            ]
        )
    book.save(path)
    return written


def run(args: argparse.Namespace, var_dir: Path) -> int:
    setup_django()
    from outpost.demo.district import STATION_CODE

    migrate()
    build_demo(scale=args.scale, seed=2020)

    workbook = var_dir / "residents.xlsx"
    started = time.perf_counter()
    rows = write_workbook(workbook, args.rows, args.seed)
    print(f"workbook:       {rows:,} rows, {workbook.stat().st_size / 1e6:.1f} MB "
          f"(written in {time.perf_counter() - started:.1f} s)")  # fmt: skip

    command = [
        sys.executable, "-m", "outpost.cli", "import", "residents", str(workbook),
        "--unit", STATION_CODE, "--user", "admin",
    ]  # fmt: skip
    started = time.perf_counter()
    child = subprocess.run(command, cwd=PROJECT_DIR, env=os.environ, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
    print(child.stdout, end="")
    for line in child.stderr.splitlines():  # the import's own log: time to check, to write
        if " checked: " in line or " done: " in line:
            print(f"log:            {line.strip()}")
    if child.returncode != 0:
        print(child.stderr, end="", file=sys.stderr)
        print(f"import failed with exit code {child.returncode}", file=sys.stderr)
        return child.returncode

    from outpost.registry.models import Household, Resident

    print(f"registry now:   {Resident.objects.count():,} residents, "
          f"{Household.objects.count():,} households")  # fmt: skip
    print(f"end to end:     {elapsed:.2f} s (process start, read, validate, commit)")
    print(f"rows/second:    {rows / elapsed:,.0f}")
    print(f"peak memory:    {peak_mb:.0f} MB (ru_maxrss of the import process)")
    ok = elapsed < 30 and peak_mb < 1024
    print("target (< 30 s, < 1 GB):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
