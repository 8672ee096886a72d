"""Small spreadsheets for the import tests, written into ``tmp_path`` with openpyxl or csv."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

from openpyxl import Workbook

from outpost.registry.tests.factories import valid_id_number

IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}

HEADINGS = ["姓名", "身份证号", "联系电话", "住址", "网格"]


def use_import_settings(settings, tmp_path: Path) -> None:
    """Uploads under tmp_path; background tasks run at once, through the real task code."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE_TASKS


def person(n: int, *, grid: str = "甲社区第1网格", born: datetime.date | None = None) -> list:
    """One valid row under HEADINGS."""
    return [
        f"居民{chr(0x4E00 + n)}",
        valid_id_number(n, born=born),
        f"139{n:08d}",
        f"黄河路{100 + n // 2}号1单元{n // 2 % 3 + 1}01室",  # n = 2k and 2k + 1 live together
        grid,
    ]


def write_xlsx(path: Path, rows: list[list], *, sheet: str = "居民", merges=(), extra_sheets=None):
    book = Workbook()
    first = book.active
    first.title = sheet
    for row in rows:
        first.append(row)
    for cells in merges:
        first.merge_cells(cells)
    for name, other_rows in (extra_sheets or {}).items():
        other = book.create_sheet(name)
        for row in other_rows:
            other.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def run_import(*, user, unit, path: Path, skip_bad_rows: bool = False, mapping=None):
    """Upload, check and (when the rows allow) import a file through the services, in this
    process, as the CLI does. Returns the job, refreshed."""
    from django.core.files import File

    from outpost.core.choices import ImportStatus
    from outpost.core.imports.services import import_job_create, import_job_set_mapping
    from outpost.core.imports.steps import (
        import_job_commit,
        import_job_inspect,
        import_job_validate,
    )

    with path.open("rb") as handle:
        job = import_job_create(
            acting_user=user,
            kind="registry.residents",
            unit=unit,
            file=File(handle, name=path.name),
            original_name=path.name,
            queue=False,
        )
    job = import_job_inspect(acting_user=user, job=job)
    if job.status == ImportStatus.FAILED:
        return job
    if mapping is not None:
        import_job_set_mapping(acting_user=user, job=job, mapping=mapping)
    validation = import_job_validate(acting_user=user, job=job)
    if validation is not None and (not validation.errors or skip_bad_rows):
        job.skip_bad_rows = skip_bad_rows
        job.save(update_fields=["skip_bad_rows"])
        import_job_commit(acting_user=user, job=job, validation=validation)
    job.refresh_from_db()
    return job


def registry_counts() -> tuple[int, int, int, int]:
    """Residents, households and their history rows: what an import may write."""
    from outpost.registry.models import Household, Resident

    return (
        Resident.objects.count(),
        Household.objects.count(),
        Resident.history.count(),
        Household.history.count(),
    )
