"""Work left "running" by a worker that died is failed, and its job marked interrupted by
its app's recovery handler, while the work of live workers (here or on another machine)
is left alone. Real rows, a fixed clock; the process checks use real processes."""

import ast
import datetime
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from outpost.core.choices import ImportStatus
from outpost.core.exports.tasks import export_task
from outpost.core.models import WorkerHeartbeat
from outpost.core.recovery import recovery_handlers
from outpost.core.scheduler import scheduler_run
from outpost.core.tasks import (
    import_job_commit_task,
    import_job_inspect_task,
    import_job_validate_task,
)
from outpost.core.tests.factories import ImportJobFactory
from outpost.core.workers import dead_workers_sweep, process_start, worker_heartbeat_beat
from outpost.dispatch.choices import OrderStatus
from outpost.dispatch.models import DispatchItem
from outpost.dispatch.tasks import order_process_task
from outpost.dispatch.tests.factories import DispatchItemFactory, DispatchOrderFactory
from outpost.screening.choices import FeedStatus, RunStatus
from outpost.screening.models import FeedRow
from outpost.screening.tasks import feed_parse_task, screening_run_task
from outpost.screening.tests.factories import FeedFactory, FeedRowFactory, ScreeningRunFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOW = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
ELSEWHERE = "worker-machine-2"


def _seconds_ago(seconds):
    return NOW - datetime.timedelta(seconds=seconds)


def _worker(worker_id, *, host=ELSEWHERE, silent_for=0, pid=4242, process_started=None):
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host=host,
        pid=pid,
        process_started=process_started,
        started_at=_seconds_ago(3600),
        last_seen=_seconds_ago(silent_for),
    )


def _running(task, worker_id, **kwargs):
    """A task claimed by `worker_id`, as django-tasks-db's worker leaves it."""
    result = task.enqueue(**kwargs)
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker_id], started_at=_seconds_ago(600)
    )
    return result.id


def _status(task_id):
    return DBTaskResult.objects.get(id=task_id).status


def _gone_pid():
    """The pid of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_worker_silent_for_a_minute_on_another_machine_has_its_import_failed_and_offered_again(
    district, admin_user
):
    job = ImportJobFactory(unit=district.community_a, status=ImportStatus.IMPORTING, progress=32)
    _worker("dead", silent_for=61)
    task_id = _running(import_job_commit_task, "dead", job_id=job.pk, user_id=admin_user.pk)

    counts = dead_workers_sweep(now=NOW)

    assert counts == {"tasks": 1, "outpost.core.tasks.import_job_commit_task": 1}
    assert _status(task_id) == TaskResultStatus.FAILED
    job.refresh_from_db()
    # Back to its checked preview: the page shows the failure and the import button.
    assert (job.status, job.progress) == (ImportStatus.VALIDATED, 100)
    assert "nothing was imported. You can import again" in job.failure
    assert not WorkerHeartbeat.objects.filter(worker_id="dead").exists()


def test_a_worker_heard_from_30_seconds_ago_on_another_machine_keeps_its_task(district, admin_user):
    job = ImportJobFactory(unit=district.community_a, status=ImportStatus.IMPORTING)
    _worker("alive", silent_for=30)
    task_id = _running(import_job_commit_task, "alive", job_id=job.pk, user_id=admin_user.pk)

    assert dead_workers_sweep(now=NOW) == {}

    assert _status(task_id) == TaskResultStatus.RUNNING
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTING


def test_a_live_process_on_this_machine_keeps_its_task_however_long_its_beats_are_held_up(
    district, admin_user
):
    # On SQLite a long import holds the only write lock and the heartbeat waits for it.
    worker_heartbeat_beat(worker_id="busy", now=_seconds_ago(600))
    job = ImportJobFactory(unit=district.community_a, status=ImportStatus.IMPORTING)
    task_id = _running(import_job_commit_task, "busy", job_id=job.pk, user_id=admin_user.pk)

    assert dead_workers_sweep(now=NOW) == {}
    assert _status(task_id) == TaskResultStatus.RUNNING


def test_a_worker_process_gone_from_this_machine_is_dead_after_25_silent_seconds(
    district, admin_user
):
    worker_heartbeat_beat(worker_id="killed", now=_seconds_ago(20))
    WorkerHeartbeat.objects.filter(worker_id="killed").update(pid=_gone_pid())
    job = ImportJobFactory(unit=district.community_a, status=ImportStatus.VALIDATING)
    task_id = _running(import_job_validate_task, "killed", job_id=job.pk, user_id=admin_user.pk)

    assert dead_workers_sweep(now=NOW) == {}  # 20 s: a beat may still be on its way
    counts = dead_workers_sweep(now=NOW + datetime.timedelta(seconds=6))

    assert counts["tasks"] == 1
    assert _status(task_id) == TaskResultStatus.FAILED
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "Check them again" in job.failure


def test_a_pid_reused_by_another_process_is_not_taken_for_the_worker(district, admin_user):
    me = os.getpid()
    _worker(
        "old",
        host=socket.gethostname(),
        silent_for=26,
        pid=me,
        process_started=process_start(me) - 1,
    )
    task_id = _running(
        export_task,
        "old",
        export_name="registry.residents",
        params={"unit_id": 1},
        user_id=admin_user.pk,
    )

    assert dead_workers_sweep(now=NOW) == {"tasks": 1}
    assert _status(task_id) == TaskResultStatus.FAILED


def test_each_app_marks_its_own_interrupted_job_and_keeps_no_half_read_rows(district, admin_user):
    _worker("dead", silent_for=120)
    feed = FeedFactory(unit=district.station, status=FeedStatus.PARSING)
    FeedRowFactory(feed=feed, row_number=2)
    run = ScreeningRunFactory(unit=district.station, status=RunStatus.RUNNING)
    order = DispatchOrderFactory(unit=district.station, status=OrderStatus.READING)
    DispatchItemFactory(order=order)
    user = admin_user.pk
    _running(feed_parse_task, "dead", feed_id=feed.pk, user_id=user)
    _running(screening_run_task, "dead", run_id=run.pk, user_id=user)
    _running(order_process_task, "dead", order_id=order.pk, user_id=user)

    counts = dead_workers_sweep(now=NOW)

    assert counts == {
        "tasks": 3,
        "outpost.screening.tasks.feed_parse_task": 1,
        "outpost.screening.tasks.screening_run_task": 1,
        "outpost.dispatch.tasks.order_process_task": 1,
    }
    for record in (feed, run, order):
        record.refresh_from_db()
        assert record.status == "failed"
        assert "The background worker stopped" in record.failure
    assert not FeedRow.objects.filter(feed=feed).exists()
    assert not DispatchItem.objects.filter(order=order).exists()


def test_a_file_being_read_when_its_worker_died_is_failed_with_a_way_forward(district, admin_user):
    job = ImportJobFactory(unit=district.community_a, status=ImportStatus.READING)
    _worker("dead", silent_for=120)
    _running(import_job_inspect_task, "dead", job_id=job.pk, user_id=admin_user.pk)

    assert dead_workers_sweep(now=NOW)["tasks"] == 1

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "Upload it again" in job.failure


def test_a_job_that_finished_before_its_worker_died_is_left_as_it_is(district, admin_user):
    job = ImportJobFactory(unit=district.community_a, status=ImportStatus.DONE)
    _worker("dead", silent_for=120)
    task_id = _running(import_job_commit_task, "dead", job_id=job.pk, user_id=admin_user.pk)

    assert dead_workers_sweep(now=NOW) == {"tasks": 1}

    assert _status(task_id) == TaskResultStatus.FAILED
    job.refresh_from_db()
    assert (job.status, job.failure) == (ImportStatus.DONE, "")


def test_a_task_of_a_worker_without_heartbeat_is_failed_a_minute_after_it_started(
    district, admin_user
):
    task_id = _running(
        export_task,
        "old-version",
        export_name="registry.residents",
        params={"unit_id": 1},
        user_id=admin_user.pk,
    )

    assert dead_workers_sweep(now=_seconds_ago(600 - 30)) == {}
    assert dead_workers_sweep(now=NOW) == {"tasks": 1}
    assert _status(task_id) == TaskResultStatus.FAILED


def test_the_scheduler_fails_the_tasks_of_dead_workers_at_each_tick(district, admin_user):
    _worker("dead", silent_for=61)
    task_id = _running(
        export_task,
        "dead",
        export_name="registry.residents",
        params={"unit_id": 1},
        user_id=admin_user.pk,
    )

    scheduler_run(clock=lambda: NOW, sleep=lambda _s: None, jobs=[], stop=_StopAfterOneTick())

    assert _status(task_id) == TaskResultStatus.FAILED


class _StopAfterOneTick:
    def __init__(self):
        self.checks = 0

    def is_set(self):
        self.checks += 1
        return self.checks > 1


def test_every_registered_recovery_handler_and_task_exists():
    handlers = recovery_handlers()

    assert set(handlers) >= {
        "outpost.core.tasks.import_job_inspect_task",
        "outpost.core.tasks.import_job_validate_task",
        "outpost.core.tasks.import_job_commit_task",
        "outpost.screening.tasks.feed_parse_task",
        "outpost.screening.tasks.screening_run_task",
        "outpost.dispatch.tasks.order_process_task",
    }
    for task_path, handler_path in handlers.items():
        assert isinstance(import_string(task_path), Task)
        assert callable(import_string(handler_path))


@pytest.mark.parametrize("module", ["recovery.py", "workers.py", "supervisor.py"])
def test_core_recovery_imports_no_app_above_core(module):
    source = (Path(__file__).parents[1] / module).read_text()
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    outpost_modules = {name for name in imported if name and name.startswith("outpost.")}
    assert all(name.startswith("outpost.core") for name in outpost_modules), outpost_modules
