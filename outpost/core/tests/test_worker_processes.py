"""Real processes: of two workers, the one killed with SIGKILL mid-task has its task failed
and the other's is left running; `outpost serve` starts its worker again when it dies and
stops its children when it gets SIGTERM; with `--processes 2` (PostgreSQL) both web
processes take their share of the connections on the one port; the supervisor backs off a
child that keeps exiting. On SQLite the processes share a file copy of the test database,
on PostgreSQL the test database itself. Every wait is bounded."""

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
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


class SharedDatabase:
    """The test database as other processes see it, and a way to read it from here."""

    def __init__(self, tmp_path):
        # The test run's keys: the database's key check was written with them (a process
        # with keys of its own refuses to start).
        env = {
            **os.environ,
            "OUTPOST_VAR_DIR": str(tmp_path / "var"),
            "OUTPOST_DATA_KEYS": django_settings.OUTPOST_DATA_KEYS,
        }
        env.pop("DEBUG", None)
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            # The in-memory test database (its schema and the rows written so far) copied
            # into a file the processes share.
            self.path = tmp_path / "outpost.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.path)
            connection.connection.backup(target)
            target.close()
            env["DATABASE_URL"] = f"sqlite:///{self.path}"
        else:
            self.path = None
            user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
            env["DATABASE_URL"] = (
                f"postgres://{user}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"
            )
        self.env = env

    def query(self, sql):
        if self.path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return [tuple(row) for row in cursor.fetchall()]
        db = sqlite3.connect(self.path, timeout=20)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()

    def tasks(self):
        """{task id: (status, worker ids)}."""
        rows = self.query("SELECT id, status, worker_ids FROM django_tasks_database_dbtaskresult")
        return {
            str(id_).replace("-", ""): (status, json.loads(ids) if isinstance(ids, str) else ids)
            for id_, status, ids in rows
        }


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _both_running(shared):
    running = [
        (task_id, worker_ids[-1])
        for task_id, (status, worker_ids) in shared.tasks().items()
        if status == "RUNNING"
    ]
    return running if len(running) == 2 else None


def test_of_two_workers_the_one_killed_mid_task_has_its_task_failed_and_the_other_runs_on(
    tmp_path,
):
    for _ in range(2):
        sleep_task.enqueue(seconds=120)
    shared = SharedDatabase(tmp_path)
    workers = [
        _manage(
            shared.env,
            "db_worker",
            "--heartbeat",
            "0.5",
            "--interval",
            "0.1",
            "--no-startup-delay",
        )
        for _ in range(2)
    ]
    try:
        running = _wait_for(lambda: _both_running(shared), what="both workers to start a task")
        pid_of = dict(shared.query("SELECT worker_id, pid FROM core_workerheartbeat"))
        (killed_task, killed_worker), (live_task, live_worker) = running
        os.kill(pid_of[killed_worker], signal.SIGKILL)
        _wait_for(lambda: not _alive(pid_of[killed_worker]), timeout=10, what="the kill")

        # The sweep 30 s later (its clock moved on: one process is gone, its beats stopped).
        sweep = (
            "import datetime; from django.utils import timezone; "
            "from outpost.core.workers import dead_workers_sweep; "
            "dead_workers_sweep(now=timezone.now() + datetime.timedelta(seconds=30))"
        )
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", sweep],
            cwd=ROOT,
            env=shared.env,
            check=True,
            timeout=120,
        )

        tasks = shared.tasks()
        assert tasks[killed_task][0] == "FAILED"
        assert tasks[live_task][0] == "RUNNING"
        assert [w for (w,) in shared.query("SELECT worker_id FROM core_workerheartbeat")] == [
            live_worker
        ]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait(timeout=10)


def test_serve_restarts_its_dead_worker_and_stops_its_children_on_sigterm(tmp_path):
    env = SharedDatabase(tmp_path).env
    serve = _manage(env, "serve", "--port", str(_free_port()))
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


def _status(port: int, path: str = "/accounts/login/") -> int:
    answer = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        answer.request("GET", path)
        return answer.getresponse().status
    finally:
        answer.close()


def _serving(port: int) -> bool:
    try:
        return _status(port) == 200
    except OSError:
        return False


def _established(pid: int, port: int) -> int:
    """How many connections to `port` the process `pid` has accepted and holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count


@pytest.mark.skipif(connection.vendor == "sqlite", reason="several web processes need PostgreSQL")
def test_serve_with_two_processes_spreads_the_connections_over_both(tmp_path):
    """Phones keep their connection open: each process must get its share of them, not
    the one that happens to be awake all of them."""
    env = SharedDatabase(tmp_path).env
    port = _free_port()
    serve = _manage(env, "serve", "--port", str(port), "--processes", "2", "--no-worker")
    phones = []
    try:
        second = _wait_for(lambda: _children(serve.pid), what="the second web process")
        assert b"--socket-fd" in Path(f"/proc/{second[0]}/cmdline").read_bytes()
        _wait_for(lambda: _serving(port), what="the server to answer")

        for _ in range(24):
            phone = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            phone.request("GET", "/accounts/login/")
            assert phone.getresponse().read() and phone.sock is not None
            phones.append(phone)
        held = [_established(pid, port) for pid in (serve.pid, second[0])]
        assert sum(held) == 24
        # Each holds about half; fewer than 3 of 24 by chance is a chance of 1 in 28,000.
        assert min(held) >= 3, held

        # A second serve cannot join the port and take half the connections.
        other = _manage(env, "serve", "--port", str(port), "--processes", "2", "--no-worker")
        _out, err = other.communicate(timeout=60)
        assert other.returncode != 0 and b"Address already in use" in err

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
    finally:
        for phone in phones:
            phone.close()
        if serve.poll() is None:
            serve.kill()
    assert not _alive(second[0])


def test_serve_refuses_several_processes_on_sqlite(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL serves several processes")
    env = SharedDatabase(tmp_path).env
    serve = _manage(env, "serve", "--port", str(_free_port()), "--processes", "2")
    _out, err = serve.communicate(timeout=60)
    assert serve.returncode != 0
    assert b"PostgreSQL" in err  # the reason, in either language


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
