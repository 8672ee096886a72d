"""``outpost backup FILE``: the database and the media files in one archive (备份).

SQLite is copied with its online backup API (every committed row, WAL included), so it
may run while Outpost serves; PostgreSQL with ``pg_dump``. See `outpost.core.backup`.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from outpost.core.backup import BackupError, backup_write


class Command(BaseCommand):
    help = _("Back up the database and the uploaded and exported files into one file.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The archive to write, e.g. outpost-2026-03-02.tar.gz"))

    def handle(self, *args, file, **options):
        try:
            summary = backup_write(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backed up %(tables)d tables (%(rows)d rows) and %(files)d files to %(path)s.")
            % {
                "tables": summary.tables,
                "rows": summary.rows,
                "files": summary.media_files,
                "path": summary.path,
            }
        )
