"""`outpost import residents FILE`: the same pipeline from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from outpost.core.models import ImportJob
from outpost.core.tests.imports_support import (
    HEADINGS,
    person,
    registry_counts,
    write_xlsx,
)
from outpost.registry.models import Resident

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_settings")]


def _run(*args):
    out = io.StringIO()
    call_command("import", "residents", *map(str, args), stdout=out)
    return out.getvalue()


def _bad_file(tmp_path):
    bad = person(2)
    bad[2] = "1391234"
    return write_xlsx(tmp_path / "list.xlsx", [["标题"], HEADINGS, person(1), bad, person(3)])


def test_a_dry_run_checks_every_row_and_writes_nothing(officer_a, district, tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx", [HEADINGS, person(1), person(2)])
    before = registry_counts()

    out = _run(path, "--user", officer_a.username, "--dry-run")

    assert "2 rows: 2 valid, 0 with errors" in out
    assert "would create 2, update 0, leave 0 unchanged" in out
    assert registry_counts() == before
    assert ImportJob.objects.count() == 0


def test_errors_are_printed_by_row_and_column_and_exit_non_zero(officer_a, district, tmp_path):
    path = _bad_file(tmp_path)
    errors = tmp_path / "errors.xlsx"

    with pytest.raises(CommandError, match="1 row has errors; nothing was imported"):
        call_command(
            "import",
            "residents",
            str(path),
            "--user",
            officer_a.username,
            "--unit",
            district.community_a.code,
            "--errors",
            str(errors),
            stdout=io.StringIO(),
        )

    assert Resident.objects.count() == 0
    rows = list(load_workbook(errors).active.iter_rows(values_only=True))
    assert rows[1][:3] == (4, "联系电话 (C)", "***1234")


def test_skip_bad_rows_imports_the_good_ones(officer_a, district, tmp_path):
    out = _run(_bad_file(tmp_path), "--user", officer_a.username, "--skip-bad-rows")

    assert "Imported: 2 created, 0 updated, 0 unchanged." in out
    assert "Row 4 联系电话 (C)" in out
    assert Resident.objects.count() == 2
    job = ImportJob.objects.get()
    assert job.created_by == officer_a and job.skip_bad_rows


def test_a_grid_worker_may_not_import(grid_worker_a1, district, tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx", [HEADINGS, person(1)])
    with pytest.raises(CommandError, match="may not import"):
        _run(path, "--user", grid_worker_a1.username)


def test_a_unit_outside_the_users_jurisdiction_is_refused(officer_a, district, tmp_path):
    path = write_xlsx(tmp_path / "list.xlsx", [HEADINGS, person(1)])
    with pytest.raises(CommandError, match="No unit with code"):
        _run(path, "--user", officer_a.username, "--unit", district.community_b.code)


def test_an_unreadable_file_is_a_clear_error(officer_a, district, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="The file is empty"):
        _run(path, "--user", officer_a.username, "--dry-run")
