"""Worker heartbeats and the sweep of tasks whose worker died (任务进程心跳).

Every `outpost db_worker` writes its `WorkerHeartbeat` row (worker id, host, pid) when it
starts and every BEAT_SECONDS from a thread of its own, and deletes it when it stops
cleanly. django-tasks-db records on each task the ids of the workers that claimed it, the
last one running it. `dead_workers_sweep` (each scheduler tick, and when `outpost serve`
starts) fails the tasks still "running" for a dead worker and lets each app mark the job
the task was doing interrupted (`outpost.core.recovery`); tasks of live workers, on this
machine or any other, are left alone.

A worker is dead when:
- it runs on this machine and its process is gone (the pid, with the start time the row
  recorded, so a reused pid is not taken for it) and its beats stopped SHORT_SILENCE ago.
  A process still there is alive however long its beats are held up: on SQLite a long
  import holds the only write lock, and the heartbeat waits for it;
- it runs elsewhere (or this machine has no /proc) and its beats stopped SILENCE ago;
- it has no row (an older worker, or one stopped cleanly) and its task started SILENCE ago.
With the scheduler ticking every 20 s, a dead worker's tasks are failed within about
30 s on one machine and 80 s across machines.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
from collections import Counter
from pathlib import Path

from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from outpost.core.models import WorkerHeartbeat
from outpost.core.recovery import interrupted_task_recover

logger = logging.getLogger("outpost.workers")

BEAT_SECONDS = 10
SILENCE = datetime.timedelta(seconds=60)
SHORT_SILENCE = datetime.timedelta(seconds=25)

_PROC = Path("/proc")


class WorkerLost(Exception):
    """Recorded as the error of a task whose worker died while running it."""


def process_start(pid: int) -> int | None:
    """The start time of live process `pid` on this machine (clock ticks since boot), or
    None when there is no such process (or only its zombie). Linux only."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and brackets: fields are counted after it.
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):  # state: zombie or dead
        return None
    return int(fields[19])


def _this_host() -> str:
    return socket.gethostname()


def worker_heartbeat_beat(*, worker_id: str, now: datetime.datetime | None = None) -> None:
    """Record that the worker `worker_id` (this process) is alive."""
    now = now or timezone.now()
    pid = os.getpid()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": _this_host(),
            "pid": pid,
            "process_started": process_start(pid),
            "last_seen": now,
        },
        create_defaults={
            "host": _this_host(),
            "pid": pid,
            "process_started": process_start(pid),
            "started_at": now,
            "last_seen": now,
        },
    )


def worker_heartbeat_end(*, worker_id: str) -> None:
    """The worker stopped cleanly (it finished or failed its task first)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


class HeartbeatThread(threading.Thread):
    """Beats every `interval` seconds until stopped; a failed beat (database away or
    locked) is logged and the next one tried."""

    def __init__(self, *, worker_id: str, interval: float = BEAT_SECONDS) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        try:
            while not self._stop_event.wait(self.interval):
                try:
                    worker_heartbeat_beat(worker_id=self.worker_id)
                except DatabaseError:
                    logger.warning("worker %s: heartbeat not written", self.worker_id)
                    connections.close_all()  # this thread's connection: reconnect next time
        finally:
            connections.close_all()


def worker_is_dead(
    beat: WorkerHeartbeat | None,
    *,
    now: datetime.datetime,
    task_started: datetime.datetime | None = None,
) -> bool:
    """Whether the worker of heartbeat `beat` has died (see the module's docstring).
    Without a row, `task_started` (of a task it claimed) stands for its last sign."""
    if beat is None:
        return task_started is not None and task_started < now - SILENCE
    if beat.host == _this_host() and (_PROC / "self" / "stat").exists():
        if beat.process_started is not None and process_start(beat.pid) == beat.process_started:
            return False
        return beat.last_seen < now - SHORT_SILENCE
    return beat.last_seen < now - SILENCE


def _running_worker(result: DBTaskResult) -> str | None:
    # The worker that claimed the task last is the one running it.
    return result.worker_ids[-1] if result.worker_ids else None


def dead_workers_sweep(*, now: datetime.datetime | None = None) -> Counter:
    """Fail every task still running for a dead worker, mark its job interrupted through
    its app's recovery handler, and forget dead workers. Returns counts: "tasks" failed,
    and per task path the jobs marked."""
    now = now or timezone.now()
    counts: Counter = Counter()
    running = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "id", "worker_ids", "started_at", "task_path", "args_kwargs"
        )
    )
    beats = {beat.worker_id: beat for beat in WorkerHeartbeat.objects.all()}
    dead = {worker_id for worker_id, beat in beats.items() if worker_is_dead(beat, now=now)}
    for result in running:
        worker_id = _running_worker(result)
        if worker_id in dead or (
            worker_id not in beats and worker_is_dead(None, now=now, task_started=result.started_at)
        ):
            counts.update(_task_interrupted(result, worker_id=worker_id, now=now))
    if dead:
        WorkerHeartbeat.objects.filter(worker_id__in=dead).delete()
    if counts:
        logger.warning("tasks of dead workers failed: %s", dict(counts))
    return counts


def _task_interrupted(result: DBTaskResult, *, worker_id: str | None, now) -> Counter:
    """Fail one task and mark its job, together; on error neither (the next sweep tries
    again)."""
    try:
        with transaction.atomic():
            failed = DBTaskResult.objects.filter(
                pk=result.pk, status=TaskResultStatus.RUNNING
            ).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"WorkerLost: worker {worker_id} stopped while running this task\n",
            )
            if not failed:
                return Counter()  # it finished meanwhile
            marked = interrupted_task_recover(
                task_path=result.task_path, task_kwargs=result.args_kwargs.get("kwargs", {})
            )
    except Exception:
        logger.exception("task %s of dead worker %s: not recovered", result.pk, worker_id)
        return Counter()
    return Counter({"tasks": 1, **({marked: 1} if marked else {})})
