"""`outpost backup` / `outpost restore`: a backup restored after more writes gives back
every table's row count and the media files as they were. Runs on the suite's database
(SQLite, or PostgreSQL when its client tools are installed)."""

import io
import json
import shutil
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from outpost.core.backup import table_counts
from outpost.core.choices import Role
from outpost.core.tests.factories import UnitFactory, staff_user

# Committed rows: pg_dump and the SQLite backup API read what is committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def needs_pg_tools():
    if connection.vendor == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump and pg_restore are not installed")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "imports").mkdir(parents=True)
    return settings.MEDIA_ROOT


def _files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _quiet(*args, **kwargs):
    call_command(*args, stdout=io.StringIO(), **kwargs)


def test_a_restored_backup_has_the_row_counts_of_every_table_and_the_files_of_the_backup(
    district, officer_a, media, tmp_path
):
    (media / "imports" / "residents.xlsx").write_bytes(b"kept")
    archive = tmp_path / "outpost.tar.gz"
    _quiet("backup", str(archive))
    at_backup = table_counts()

    UnitFactory(code="CA-G9", name="甲社区第9网格", parent=district.community_a)
    staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, username="later")
    (media / "imports" / "residents.xlsx").write_bytes(b"changed")
    (media / "exports").mkdir()
    (media / "exports" / "later.xlsx").write_bytes(b"later")
    assert table_counts() != at_backup

    _quiet("restore", str(archive), force=True)

    assert table_counts() == at_backup
    assert _files(media) == ["imports/residents.xlsx"]
    assert (media / "imports" / "residents.xlsx").read_bytes() == b"kept"


def test_the_archive_names_the_row_count_of_every_table_in_its_manifest(district, media, tmp_path):
    archive = tmp_path / "outpost.tar.gz"
    _quiet("backup", str(archive))

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert manifest["database"]["member"] in tar.getnames()
    assert manifest["tables"] == table_counts()
    assert manifest["tables"]["core_unit"] == 7


def test_restore_refuses_to_replace_a_database_with_data_without_force(district, media, tmp_path):
    archive = tmp_path / "outpost.tar.gz"
    _quiet("backup", str(archive))
    UnitFactory(code="CA-G9", name="甲社区第9网格", parent=district.community_a)
    before = table_counts()

    with pytest.raises(CommandError, match="--force"):
        _quiet("restore", str(archive))

    assert table_counts() == before


def test_a_file_that_is_not_a_backup_is_refused(media, tmp_path):
    bogus = tmp_path / "outpost.sqlite3"
    bogus.write_bytes(b"SQLite format 3\0")

    with pytest.raises(CommandError, match="not an Outpost backup"):
        _quiet("restore", str(bogus), force=True)
