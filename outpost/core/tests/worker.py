"""Run queued background tasks inside a test, through the real worker command."""

import signal
from unittest import mock

from django.core.management import call_command
from django_tasks_db.management.commands import db_worker

_SIGNALS = [signal.SIGINT, signal.SIGTERM] + (
    [signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else []
)


def run_queued_tasks() -> None:
    """Run every queued task now, as `outpost db_worker --batch` does, in this process.

    The worker closes "old" database connections between tasks; inside a test's
    transaction that would end the test's connection on PostgreSQL, so only that
    housekeeping is skipped. The worker's signal handlers are put back afterwards.
    """
    handlers = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    try:
        with mock.patch.object(db_worker, "close_old_connections", lambda: None):
            call_command(
                "db_worker",
                batch=True,
                startup_delay=False,
                reload=False,
                interval=0,
                heartbeat=0,
                verbosity=0,
            )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
