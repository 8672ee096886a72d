"""`outpost db_worker`: django-tasks-db's worker, with a heartbeat (任务进程心跳).

It writes its heartbeat row when it starts and every few seconds from a thread of its
own, and deletes it when it stops cleanly, so that the tasks of a worker that died
(`kill -9`, a machine gone) are told from those of a live one and failed
(`outpost.core.workers`). Replaces django-tasks-db's command of the same name (core is
listed before it in INSTALLED_APPS).
"""

from django_tasks_db.management.commands import db_worker

from outpost.core.workers import (
    BEAT_SECONDS,
    HeartbeatThread,
    worker_heartbeat_beat,
    worker_heartbeat_end,
)


class Command(db_worker.Command):
    help = "Run a database background worker that writes a heartbeat."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=BEAT_SECONDS,
            help="Seconds between heartbeats; 0 writes only the first (for tests).",
        )

    def handle(self, *args, heartbeat: float, worker_id: str, **options) -> None:
        worker_heartbeat_beat(worker_id=worker_id)
        thread = HeartbeatThread(worker_id=worker_id, interval=heartbeat) if heartbeat else None
        if thread:
            thread.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            if thread:
                thread.stop()
                thread.join(timeout=BEAT_SECONDS)
            worker_heartbeat_end(worker_id=worker_id)
