"""``outpost prune``: delete files whose purpose has ended (留存期限): finished ledger exports
after a week, uploaded import files after thirty days (the records and counts stay)."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.imports.services import import_files_prune
from outpost.registry.services import ledger_exports_prune


class Command(BaseCommand):
    help = _("Delete ledger exports and uploaded import files whose purpose has ended.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--export-days",
            type=int,
            default=7,
            help=_("Keep finished exports this many days (default 7)."),
        )
        parser.add_argument(
            "--import-days",
            type=int,
            default=30,
            help=_("Keep the files of finished imports this many days (default 30)."),
        )

    def handle(self, *args, export_days, import_days, **options):
        now = timezone.now()
        exports = ledger_exports_prune(older_than=now - datetime.timedelta(days=export_days))
        imports = import_files_prune(older_than=now - datetime.timedelta(days=import_days))
        self.stdout.write(
            _("Deleted %(exports)d exports and the files of %(imports)d imports.")
            % {"exports": exports, "imports": imports}
        )
