"""Real processes: a worker killed with SIGKILL mid-task has its task failed; `outpost serve`
starts its worker again when it dies and stops its children when it gets SIGTERM; the
supervisor backs off a child that keeps exiting. SQLite only (the processes share a copy
of the test database in a file); every wait is bounded."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tasks import task

from outpost.core.supervisor import Supervisor

# Committed rows: the database is copied while no transaction is open.
pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]


@task()
def sleep_task(*, seconds: float) -> None:
    """Test-only task that runs long enough to be killed."""
    time.sleep(seconds)


def _wait_for(condition, *, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture
def file_database(tmp_path):
    """The test database (its schema and this test's rows so far) copied into a file, and
    the environment of a process that uses it."""
    if connection.vendor != "sqlite":
        pytest.skip("the processes share a SQLite file")
    path = tmp_path / "outpost.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "OUTPOST_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "outpost.settings",
    }
    env.pop("DEBUG", None)
    return path, env


def _query(path, sql, *params):
    db = sqlite3.connect(path, timeout=20)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def _manage(env, *args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def _children(pid):
    """Pids of the live (not zombie) processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found.append(int(stat.parent.name))
    return found


def _alive(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] not in ("Z", "X")


def test_a_worker_killed_mid_task_has_its_task_failed(file_database):
    path, env = file_database
    # Enqueued into the file database (through its own connection, as a web request would).
    env_enqueue = [
        sys.executable,
        "manage.py",
        "shell",
        "-c",
        f"from {__name__} import sleep_task; sleep_task.enqueue(seconds=60)",
    ]
    subprocess.run(env_enqueue, cwd=ROOT, env=env, check=True, timeout=120)
    worker = _manage(
        env, "db_worker", "--heartbeat", "0.5", "--interval", "0.1", "--no-startup-delay"
    )
    try:
        _wait_for(
            lambda: _query(
                path, "SELECT 1 FROM django_tasks_database_dbtaskresult WHERE status='RUNNING'"
            ),
            what="the worker to start the task",
        )
        beat = _query(path, "SELECT host, pid FROM core_workerheartbeat")
        assert beat == [(socket.gethostname(), worker.pid)]
        worker.kill()
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()

    # The sweep 30 s later (its clock moved on: the process is gone and the beats stopped).
    sweep = (
        "import datetime; from django.utils import timezone; "
        "from outpost.core.workers import dead_workers_sweep; "
        "dead_workers_sweep(now=timezone.now() + datetime.timedelta(seconds=30))"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", sweep],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    assert _query(path, "SELECT status FROM django_tasks_database_dbtaskresult") == [("FAILED",)]
    assert _query(path, "SELECT count(*) FROM core_workerheartbeat") == [(0,)]


def test_serve_restarts_its_dead_worker_and_stops_its_children_on_sigterm(file_database):
    _path, env = file_database
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve = _manage(env, "serve", "--port", str(port))
    try:
        children = _wait_for(
            lambda: len(_children(serve.pid)) == 2 and _children(serve.pid),
            what="serve's worker and scheduler",
        )
        worker = next(
            pid for pid in children if b"db_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
        )
        os.kill(worker, signal.SIGKILL)
        restarted = _wait_for(
            lambda: [pid for pid in _children(serve.pid) if pid not in children],
            timeout=30,
            what="the worker to be started again",
        )
        assert len(restarted) == 1

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
    finally:
        if serve.poll() is None:
            serve.kill()
    still_running = [pid for pid in [*children, *restarted] if _alive(pid)]
    assert still_running == []


def test_a_child_that_keeps_exiting_is_started_again_after_a_growing_back_off():
    now = [0.0]
    supervisor = Supervisor(
        {"crash": [sys.executable, "-c", "raise SystemExit(3)"]}, clock=lambda: now[0]
    )
    supervisor.start()
    try:
        child = supervisor.children[0]
        child.process.wait(timeout=30)
        assert supervisor.poll() == []  # exited at 0 s: started again in 1 s
        now[0] = 0.9
        assert supervisor.poll() == []
        now[0] = 1.0
        assert supervisor.poll() == ["crash"]
        child.process.wait(timeout=30)
        assert supervisor.poll() == []  # the second exit in a row: again in 2 s
        now[0] = 2.9
        assert supervisor.poll() == []
        now[0] = 3.0
        assert supervisor.poll() == ["crash"]
    finally:
        supervisor.stop(grace=5)
