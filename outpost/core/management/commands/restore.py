"""``outpost restore FILE``: put back a backup made by ``outpost backup`` (恢复).

It replaces the whole database and the media files, so it refuses a database that holds
data unless ``--force`` is given; stop `outpost serve` and the workers first. Every
table's row count is then checked against the backup's manifest.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from outpost.core.backup import BackupError, backup_manifest, backup_restore, database_is_empty


class Command(BaseCommand):
    help = _("Replace the database and the files with those of a backup.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("An archive written by outpost backup"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Replace a database that holds data (everything in it is lost)."),
        )

    def handle(self, *args, file, force, **options):
        source = Path(file)
        try:
            manifest = backup_manifest(source)
            if not force and not database_is_empty():
                raise CommandError(
                    _(
                        "The database holds data, and restoring replaces all of it. Stop "
                        "Outpost, then run the command again with --force."
                    )
                )
            summary = backup_restore(source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if summary.mismatches:
            raise CommandError(
                _("Restored, but these tables do not have the backup's row counts: %(tables)s")
                % {"tables": ", ".join(sorted(summary.mismatches))}
            )
        self.stdout.write(
            _(
                "Restored the backup of %(when)s: %(tables)d tables (%(rows)d rows, every "
                "count as in the backup) and %(files)d files."
            )
            % {
                "when": manifest["created_at"],
                "tables": summary.tables,
                "rows": summary.rows,
                "files": summary.media_files,
            }
        )
