"""The periodic-job scheduler (定时任务): `outpost scheduler`, and beside the worker inside
`outpost serve` in the embedded default.

Each job, registered by its app in ``AppConfig.ready()`` (`register_periodic_job`), is a
name, a cron schedule read in the project's time zone (Asia/Shanghai) and
the dotted path of a django-tasks task. Every tick the scheduler finds each job's latest
scheduled time not after now and enqueues the task with ``now=<that time, ISO>``, so the
task works as of its scheduled time however late the worker picks it up. One
ScheduledJobRun row per (job, scheduled time), unique in the database, makes any number
of schedulers on any number of machines enqueue each firing once. Only the latest firing
is caught up: a scheduler that was down for a day enqueues one sweep, not 288; a new
installation runs each job once at its first tick.

Each tick also fails the tasks of workers that died (`outpost.core.workers`): that needs
no live worker, and so does not wait behind a long import on a busy one.

Cron is parsed here rather than by APScheduler: the five-field subset below is a few
lines, APScheduler's triggers only answer "next fire time" where the catch-up needs the
previous one, and the project stays one dependency lighter.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from outpost.core.models import ScheduledJobRun
from outpost.core.workers import dead_workers_sweep

logger = logging.getLogger("outpost.scheduler")

TICK_SECONDS = 20
# How far back the latest firing is looked for: older firings are not caught up.
LOOKBACK_DAYS = 366

# (lowest, highest) of each cron field; day of week 0 and 7 are both Sunday.
_FIELD_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


def _field_parse(text: str, lowest: int, highest: int) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        spec, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if spec == "*":
            start, end = lowest, highest
        elif "-" in spec:
            start_text, end_text = spec.split("-", 1)
            start, end = int(start_text), int(end_text)
        else:
            start = int(spec)
            end = highest if step_text else start  # "5/15" is 5-59/15, as in cron
        if step < 1 or not lowest <= start <= end <= highest:
            raise ValueError(f"cron field {text!r} is outside {lowest}-{highest}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """A five-field cron schedule (minute hour day-of-month month day-of-week) with
    numbers, ``*``, ``a-b``, ``/step`` and commas; no names (MON, JAN) and no seconds."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday, as in cron
    # Cron's rule: when both day fields are restricted, a day matching either fires.
    either_day: bool

    @classmethod
    def parse(cls, expression: str) -> Cron:
        fields = expression.split()
        if len(fields) != 5:
            raise ValueError(f"cron expression {expression!r} needs five fields")
        minutes, hours, days, months, weekdays = (
            _field_parse(text, lowest, highest)
            for text, (lowest, highest) in zip(fields, _FIELD_RANGES, strict=True)
        )
        return cls(
            minutes=minutes,
            hours=hours,
            days=days,
            months=months,
            weekdays=frozenset(day % 7 for day in weekdays),
            either_day=not fields[2].startswith("*") and not fields[4].startswith("*"),
        )

    def _day_matches(self, day: datetime.date) -> bool:
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = day.isoweekday() % 7 in self.weekdays
        return (in_days or in_weekdays) if self.either_day else (in_days and in_weekdays)

    def latest(self, at: datetime.datetime) -> datetime.datetime | None:
        """The latest scheduled time not after `at` (aware, in the project's time zone),
        or None when there was none in the last LOOKBACK_DAYS."""
        tz = timezone.get_default_timezone()
        local = at.astimezone(tz)
        for days_back in range(LOOKBACK_DAYS + 1):
            day = local.date() - datetime.timedelta(days=days_back)
            if not self._day_matches(day):
                continue
            until = (local.hour, local.minute) if days_back == 0 else (23, 59)
            for hour in sorted(self.hours, reverse=True):
                if hour > until[0]:
                    continue
                last_minute = until[1] if hour == until[0] else 59
                minutes = [minute for minute in self.minutes if minute <= last_minute]
                if minutes:
                    return datetime.datetime.combine(
                        day, datetime.time(hour, max(minutes)), tzinfo=tz
                    )
        return None


@dataclass(frozen=True)
class PeriodicJob:
    """A job the scheduler enqueues: `task` is the dotted path of a django-tasks task
    taking ``now`` (an ISO datetime), imported only when it is enqueued."""

    name: str
    schedule: str
    task: str
    cron: Cron = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A bad expression fails at import, not at the first tick in production.
        object.__setattr__(self, "cron", Cron.parse(self.schedule))


_PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def register_periodic_job(job: PeriodicJob) -> None:
    """Make the scheduler enqueue `job` on its schedule. Call from ``AppConfig.ready()``:
    core does not know the apps' jobs (observation's sweeps, briefing's snapshots)."""
    _PERIODIC_JOBS[job.name] = job


def periodic_jobs() -> tuple[PeriodicJob, ...]:
    """Every app's periodic jobs."""
    return tuple(_PERIODIC_JOBS.values())


def scheduler_tick(
    *, now: datetime.datetime, jobs: Sequence[PeriodicJob] | None = None
) -> list[str]:
    """Enqueue every job (the registered ones unless `jobs` is given) whose latest scheduled
    time has not been enqueued yet, by this or any other scheduler; returns their names."""
    enqueued = []
    for job in periodic_jobs() if jobs is None else jobs:
        scheduled = job.cron.latest(now)
        if scheduled is None:
            continue
        # Checked first so that a normal tick does not fail an insert per job.
        if ScheduledJobRun.objects.filter(job=job.name, scheduled_for=scheduled).exists():
            continue
        try:
            task = import_string(job.task)
        except ImportError:
            logger.exception("periodic job %s: cannot import %s", job.name, job.task)
            continue
        try:
            # The run row and the queued task (same database) are written together: a
            # failed enqueue leaves no row, so the next tick tries again.
            with transaction.atomic():
                ScheduledJobRun.objects.create(job=job.name, scheduled_for=scheduled)
                task.enqueue(now=scheduled.isoformat())
        except IntegrityError:
            continue  # another scheduler enqueued this firing a moment ago
        logger.info("periodic job %s enqueued for %s", job.name, scheduled.isoformat())
        enqueued.append(job.name)
    return enqueued


def scheduled_runs_prune(*, older_than: datetime.datetime) -> int:
    """Delete the runs scheduled before `older_than` and the finished results of the
    periodic tasks: a day makes some two thousand of each (escalation runs every minute).
    Enqueuing once needs only each job's latest run."""
    DBTaskResult.objects.filter(
        task_path__in={job.task for job in periodic_jobs()}, finished_at__lt=older_than
    ).delete()
    deleted, _ = ScheduledJobRun.objects.filter(scheduled_for__lt=older_than).delete()
    return deleted


def scheduler_run(
    *,
    clock: Callable[[], datetime.datetime] = timezone.now,
    sleep: Callable[[float], object] = time.sleep,
    stop: threading.Event | None = None,
    jobs: Sequence[PeriodicJob] | None = None,
    interval: float = TICK_SECONDS,
) -> None:
    """Tick every `interval` seconds until `stop` is set: enqueue the jobs due and fail
    the tasks of dead workers."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            now = clock()
            scheduler_tick(now=now, jobs=jobs)
            dead_workers_sweep(now=now)
        except DatabaseError:
            # The database went away (restart, failover): reconnect at the next tick.
            logger.exception("scheduler tick failed; trying again in %s s", interval)
            connections.close_all()
        except Exception:
            # Nothing restarts the scheduler beside `outpost serve`; keep it ticking.
            logger.exception("scheduler tick failed; trying again in %s s", interval)
        sleep(interval)
