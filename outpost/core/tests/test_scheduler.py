"""The periodic-job scheduler: each firing is enqueued once, however many schedulers tick,
only the latest missed firing is caught up, times are Asia/Shanghai, and the task gets
its scheduled time as ``now``. The clock is always given; nothing sleeps."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from outpost.core.models import ScheduledJobRun
from outpost.core.scheduler import (
    Cron,
    PeriodicJob,
    periodic_jobs,
    scheduler_run,
    scheduler_tick,
)
from outpost.core.tasks import prune_task
from outpost.core.tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC
_WEEK = datetime.timedelta(days=7)


@task()
def echo_now_task(*, now: str) -> str:
    """Test-only periodic task: returns the `now` it was given."""
    return now


ECHO_PATH = f"{__name__}.echo_now_task"
EVERY_5_MINUTES = PeriodicJob("test_every_5", "*/5 * * * *", ECHO_PATH)
DAILY_0005 = PeriodicJob("test_daily_0005", "5 0 * * *", ECHO_PATH)


def _at(hour, minute, second=0, *, day=2, tz=SHANGHAI):
    return datetime.datetime(2026, 3, day, hour, minute, second, tzinfo=tz)


def _queued():
    return DBTaskResult.objects.filter(task_path=ECHO_PATH)


def test_a_job_due_at_0805_is_enqueued_once():
    assert scheduler_tick(now=_at(8, 5, 10), jobs=[EVERY_5_MINUTES]) == ["test_every_5"]
    assert scheduler_tick(now=_at(8, 5, 30), jobs=[EVERY_5_MINUTES]) == []

    assert _queued().count() == 1
    run = ScheduledJobRun.objects.get()
    assert (run.job, run.scheduled_for) == ("test_every_5", _at(8, 5))


def test_two_schedulers_ticking_at_the_same_moment_enqueue_once():
    first = scheduler_tick(now=_at(8, 5, 10), jobs=[EVERY_5_MINUTES])
    second = scheduler_tick(now=_at(8, 5, 10), jobs=[EVERY_5_MINUTES])

    assert first + second == ["test_every_5"]
    assert _queued().count() == 1


def test_two_schedulers_in_threads_enqueue_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    job = PeriodicJob("test_threads", "*/5 * * * *", ECHO_PATH)
    barrier = threading.Barrier(2)
    results = []

    def scheduler():
        # Each thread has its own connection, outside the test's transaction.
        try:
            barrier.wait()
            results.append(scheduler_tick(now=_at(8, 5, 10), jobs=[job]))
        finally:
            connection.close()

    def cleanup():
        try:
            counts = (
                ScheduledJobRun.objects.filter(job=job.name).count(),
                DBTaskResult.objects.filter(task_path=ECHO_PATH).count(),
            )
            ScheduledJobRun.objects.filter(job=job.name).delete()
            DBTaskResult.objects.filter(task_path=ECHO_PATH).delete()
            results.append(counts)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = threading.Thread(target=cleanup)
    after.start()
    after.join()

    assert sorted(results[:2]) == [[], ["test_threads"]]
    assert results[2] == (1, 1)


def test_a_scheduler_down_for_three_hours_enqueues_one_catch_up_firing_not_36():
    scheduler_tick(now=_at(8, 0, 10), jobs=[EVERY_5_MINUTES])
    # down from 08:00 to 11:00
    assert scheduler_tick(now=_at(11, 0, 15), jobs=[EVERY_5_MINUTES]) == ["test_every_5"]

    assert list(ScheduledJobRun.objects.values_list("scheduled_for", flat=True)) == [
        _at(11, 0),
        _at(8, 0),
    ]
    assert _queued().count() == 2


def test_the_enqueued_task_receives_the_scheduled_time_as_now():
    scheduler_tick(now=_at(8, 7, 42), jobs=[EVERY_5_MINUTES])

    run_queued_tasks()

    result = _queued().get()
    assert result.args_kwargs["kwargs"] == {"now": "2026-03-02T08:05:00+08:00"}
    assert result.return_value == "2026-03-02T08:05:00+08:00"


def test_a_daily_job_fires_at_0005_shanghai_time_not_utc():
    assert scheduler_tick(now=_at(0, 5, 10), jobs=[DAILY_0005]) == ["test_daily_0005"]
    # 00:05 UTC is 08:05 in Shanghai: no new firing
    assert scheduler_tick(now=_at(0, 5, 10, tz=UTC), jobs=[DAILY_0005]) == []

    assert ScheduledJobRun.objects.get().scheduled_for == _at(0, 5)
    assert _at(0, 5) == datetime.datetime(2026, 3, 1, 16, 5, tzinfo=UTC)


def test_the_loop_ticks_with_the_clock_and_stops_when_stop_is_set():
    times = iter([_at(8, 4, 50), _at(8, 5, 10), _at(8, 5, 30)])
    stop = threading.Event()
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            stop.set()

    scheduler_run(clock=lambda: next(times), sleep=sleep, stop=stop, jobs=[EVERY_5_MINUTES])

    assert sleeps == [20, 20, 20]
    assert list(ScheduledJobRun.objects.values_list("scheduled_for", flat=True)) == [
        _at(8, 5),
        _at(8, 0),
    ]


def test_a_job_whose_task_cannot_be_imported_does_not_stop_the_others():
    broken = PeriodicJob("test_broken", "* * * * *", "outpost.core.tests.no_such.task")

    assert scheduler_tick(now=_at(8, 5, 10), jobs=[broken, EVERY_5_MINUTES]) == ["test_every_5"]
    assert not ScheduledJobRun.objects.filter(job="test_broken").exists()


@pytest.mark.parametrize(
    ("expression", "now", "latest"),
    [
        ("*/5 * * * *", _at(8, 4, 59), _at(8, 0)),
        ("0 7 * * *", _at(6, 59), _at(7, 0, day=1)),
        ("*/15 9-17 * * 1-5", _at(12, 0, day=7), _at(17, 45, day=6)),  # Saturday → Friday
        ("30 8 5 * 0", _at(7, 0, day=8), _at(8, 30, day=5)),  # the 5th or a Sunday
        ("30 8 5 * 0", _at(9, 0, day=9), _at(8, 30, day=8)),
        ("10/20 * * * *", _at(8, 55), _at(8, 50)),
    ],
)
def test_cron_latest_firing(expression, now, latest):
    assert Cron.parse(expression).latest(now) == latest


@pytest.mark.parametrize("expression", ["* * * *", "60 * * * *", "*/0 * * * *", "0 0 * * MON"])
def test_cron_rejects_what_it_does_not_read(expression):
    with pytest.raises(ValueError):
        Cron.parse(expression)


def test_the_apps_register_their_periodic_jobs():
    assert {job.name for job in periodic_jobs()} == {
        "missed_check_ins_sweep",
        "reminders_send",
        "alerts_escalate",
        "episodes_release_due",
        "site_days_close",
        "snapshots_take",
        "prune",
        "planner_statistics",
        "retention_purge",
        "notices_escalate",
        "patrols_sweep",
        "notify_outbound_sweep",
    }


def test_every_registered_job_names_a_task():
    for job in periodic_jobs():
        assert isinstance(import_string(job.task), Task), job.name


def test_the_daily_prune_deletes_scheduled_runs_older_than_a_week_as_of_its_time():
    ScheduledJobRun.objects.create(job="prune", scheduled_for=_at(3, 0, day=1) - _WEEK)
    kept = ScheduledJobRun.objects.create(job="prune", scheduled_for=_at(3, 0, day=2) - _WEEK)
    result = prune_task.enqueue(now=_at(3, 0).isoformat())

    run_queued_tasks()

    assert DBTaskResult.objects.get(id=result.id).return_value == {
        "exports": 0,
        "imports": 0,
        "scheduled_runs": 1,
    }
    assert list(ScheduledJobRun.objects.all()) == [kept]
