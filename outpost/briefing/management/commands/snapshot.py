"""``outpost snapshot [--date YYYY-MM-DD]``: freeze the briefing figures of every unit for a
past day (default: yesterday) on demand, e.g. when the scheduler was down at 00:10. A day
already frozen is left as it was."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.briefing.services import snapshots_take


class Command(BaseCommand):
    requires_system_checks = []
    help = _("Freeze the briefing figures of every unit for a past day (default: yesterday).")

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help=_("The day, YYYY-MM-DD."))

    def handle(self, *args, day, **options):
        today = timezone.localdate()
        try:
            frozen_day = (
                datetime.date.fromisoformat(day) if day else today - datetime.timedelta(days=1)
            )
        except ValueError:
            raise CommandError(
                _("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": day}
            ) from None
        if frozen_day >= today:
            raise CommandError(_("Only a day that is over can be frozen."))
        started = time.perf_counter()
        written = snapshots_take(day=frozen_day)
        self.stdout.write(
            _("%(day)s: %(n)d units frozen (units already frozen left as they were), %(s).1f s.")
            % {"day": frozen_day.isoformat(), "n": written, "s": time.perf_counter() - started}
        )
