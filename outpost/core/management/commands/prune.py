"""``outpost prune``: delete files whose purpose has ended (留存期限): finished exports
(residents and households ledgers, contact ledgers, dispatch feedback workbooks) after a week, uploaded import files after thirty days (the records and counts stay).
The scheduler's record of periodic jobs goes after a week too."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.scheduler import scheduled_runs_prune
from outpost.core.tasks import files_prune


class Command(BaseCommand):
    help = _("Delete exports and uploaded import files whose purpose has ended.")

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
        exports, imports = files_prune(now=now, export_days=export_days, import_days=import_days)
        scheduled_runs_prune(older_than=now - datetime.timedelta(days=7))
        self.stdout.write(
            _("Deleted %(exports)d exports and the files of %(imports)d imports.")
            % {"exports": exports, "imports": imports}
        )
