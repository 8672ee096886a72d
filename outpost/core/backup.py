"""Backup and restore of a deployment (备份与恢复): the database and `var/media` in one file.

The archive is a gzipped tar holding ``manifest.json`` (format, when, the database vendor,
the row count of every table), the database and ``media/``. SQLite is copied with its
online backup API, which sees every committed row, including those still in the WAL file
(copying the ``.sqlite3`` file alone loses them); PostgreSQL with ``pg_dump`` in custom
format, from the same snapshot the row counts are taken in. Restoring writes the database
back (the SQLite backup API into the live file; ``pg_restore --clean`` for PostgreSQL),
replaces the media files, and checks the row counts against the manifest.

A restore replaces everything: stop `outpost serve` and the workers first.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

FORMAT = "outpost-backup"
VERSION = 1
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def _vendor() -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of {connection.vendor} databases are not supported")
    return connection.vendor


def _pg_command(program: str) -> tuple[list[str], dict[str, str]]:
    """The client program's arguments naming the database, and its environment."""
    path = shutil.which(program)
    if path is None:
        raise BackupError(f"{program} (the PostgreSQL client tools) is not installed")
    db = connection.settings_dict
    args = [path, "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _quote(table: str) -> str:
    return connection.ops.quote_name(table)


def table_counts() -> dict[str, int]:
    """The row count of every table of the database Django is connected to."""
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_file_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}
    finally:
        db.close()


def _sqlite_dump(work: Path) -> tuple[Path, dict[str, int]]:
    target_path = work / SQLITE_MEMBER
    connection.ensure_connection()
    target = sqlite3.connect(target_path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return target_path, _sqlite_file_counts(target_path)


def _pg_dump(work: Path) -> tuple[Path, dict[str, int]]:
    dump_path = work / PG_MEMBER
    args, env = _pg_command("pg_dump")
    # The counts and the dump read one snapshot, so the manifest describes the dump even
    # while the app keeps writing.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts = table_counts()
        result = subprocess.run(
            [
                *args,
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-owner",
                "--no-privileges",
                f"--file={dump_path}",
                connection.settings_dict["NAME"],
            ],
            env=env,
            capture_output=True,
            text=True,
        )
    if result.returncode:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return dump_path, counts


@dataclass
class BackupSummary:
    path: Path
    tables: int
    rows: int
    media_files: int


def backup_write(target: Path) -> BackupSummary:
    """Write the database and the media files to the archive `target` (written under a
    temporary name and renamed, so a failed backup leaves no half file)."""
    vendor = _vendor()
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="outpost-backup-") as work_dir:
        work = Path(work_dir)
        dump, counts = _sqlite_dump(work) if vendor == "sqlite" else _pg_dump(work)
        media_files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "database": {"vendor": vendor, "member": dump.name},
            "tables": counts,
            "media_files": len(media_files),
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(datetime.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            for path in media_files:
                archive.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
        partial.replace(target)
    return BackupSummary(
        path=target, tables=len(counts), rows=sum(counts.values()), media_files=len(media_files)
    )


def backup_manifest(source: Path) -> dict:
    """The manifest of archive `source`; BackupError when it is not an Outpost backup."""
    try:
        with tarfile.open(source, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            manifest = json.loads(member.read()) if member else {}
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"{source} is not an Outpost backup ({exc})") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{source} is not an Outpost backup of version {VERSION}")
    return manifest


def database_is_empty() -> bool:
    """Whether nothing would be lost by restoring over the current database."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in ("core_unit", "auth_user"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")
                if cursor.fetchone():
                    return False
    return True


def _sqlite_restore(dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        # Page by page into the live database, WAL included; other connections see the
        # restored database at their next transaction.
        source.backup(connection.connection)
    finally:
        source.close()


def _pg_restore(dump: Path) -> None:
    args, env = _pg_command("pg_restore")
    connection.close()  # its session would hold locks that --clean waits for
    result = subprocess.run(
        [
            *args,
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _media_replace(archive: tarfile.TarFile, work: Path) -> int:
    """Extract the archive's media files and put them in place of the current ones."""
    members = [m for m in archive.getmembers() if m.name.startswith("media/") and m.isfile()]
    archive.extractall(work, members=members, filter="data")
    media = Path(settings.MEDIA_ROOT)
    restored = work / "media"
    restored.mkdir(exist_ok=True)
    old = media.with_name(media.name + ".before-restore")
    if media.exists():
        shutil.rmtree(old, ignore_errors=True)
        media.rename(old)
    media.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(restored, media)
    shutil.rmtree(old, ignore_errors=True)
    return len(members)


@dataclass
class RestoreSummary:
    tables: int
    rows: int
    media_files: int
    mismatches: dict[str, tuple[int, int]]


def backup_restore(source: Path) -> RestoreSummary:
    """Replace the database and the media files with those of archive `source`, then
    compare every table's row count with the manifest (mismatches: table → (in the
    backup, now))."""
    manifest = backup_manifest(source)
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"this backup is of a {manifest['database']['vendor']} database and the "
            f"configured database is {vendor}: restore it into a {vendor} one is not supported"
        )
    with tempfile.TemporaryDirectory(prefix="outpost-restore-") as work_dir:
        work = Path(work_dir)
        with tarfile.open(source, "r:gz") as archive:
            member = manifest["database"]["member"]
            archive.extract(member, work, filter="data")
            if vendor == "sqlite":
                _sqlite_restore(work / member)
            else:
                _pg_restore(work / member)
            media_files = _media_replace(archive, work)
    counts = table_counts()
    expected = manifest["tables"]
    mismatches = {
        table: (rows, counts.get(table, 0))
        for table, rows in expected.items()
        if counts.get(table, 0) != rows
    }
    return RestoreSummary(
        tables=len(expected),
        rows=sum(expected.values()),
        media_files=media_files,
        mismatches=mismatches,
    )
