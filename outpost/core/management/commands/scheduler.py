"""`outpost scheduler`: enqueue the periodic jobs (定时任务) on time; `db_worker`s run them.

Several schedulers may run (one per machine): each firing is still enqueued once.
"""

import signal
import threading

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from outpost.core.scheduler import scheduler_run


class Command(BaseCommand):
    help = _("Enqueue the periodic jobs when they are due (runs until stopped).")

    def handle(self, *args, **options):
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_args: stop.set())
        self.stdout.write(_("The scheduler is running."))
        # Waiting on the event instead of sleeping lets a stop signal end it at once.
        scheduler_run(sleep=stop.wait, stop=stop)
