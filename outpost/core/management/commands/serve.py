"""`outpost serve`: the web app, and in the embedded default also a task worker and the
scheduler of periodic jobs.

Not in debug mode it serves with waitress (a production WSGI server that needs no
compiler and runs anywhere Python does). With PostgreSQL, run workers separately
(`outpost db_worker`) on as many machines as needed, `outpost scheduler` beside them, and
pass --no-worker here.

It supervises its worker and scheduler (`outpost.core.supervisor`): one that dies is
started again, and both are stopped when serve stops (SIGTERM or Ctrl-C).

With PostgreSQL, `--processes N` serves from N processes on one port (Linux): Python runs
one thread of a process at a time, so a single process used one core of two (the
self-report burst: 66 → 120 check-ins/s with two). serve binds a socket per process with
SO_REUSEPORT (Linux spreads the connections evenly over them), serves on the first itself
and supervises the other N − 1, each of which inherits its own. SQLite keeps one process: its
writers take their turns within a process (`outpost.core.backends.sqlite3`).
"""

import argparse
import os
import signal
import socket
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from outpost.core.selectors import demo_password_usernames
from outpost.core.supervisor import Supervisor
from outpost.core.workers import dead_workers_sweep


def _exit_on_sigterm(signum, frame):
    # SystemExit unwinds the server (waitress catches it and returns) into the `finally`
    # that stops the children; the default action would leave them without a parent.
    raise SystemExit(0)


def waitress_options(
    *, threads: int, host: str = "", port: int = 0, listening: socket.socket | None = None
) -> dict:
    """How `outpost serve` runs waitress: on `host`:`port`, or on a socket already
    `listening`.

    Waitress would drop every X-Forwarded-* header itself (it trusts one proxy address at
    most); they reach Django, where `TrustedProxyMiddleware` believes them from the
    addresses in OUTPOST_TRUSTED_PROXIES only and drops them from everyone else.
    """
    where = {"sockets": [listening]} if listening else {"host": host, "port": port}
    return {
        **where,
        "threads": threads,
        "ident": "outpost",
        "clear_untrusted_proxy_headers": False,
    }


def _serve_waitress(**options) -> None:
    from waitress import serve

    from outpost.wsgi import application

    serve(application, **waitress_options(**options))


def _exit_with_parent(interval: float = 1.0) -> None:
    """Stop this web process when the serve that started it is gone (killed with no time
    to stop its children): it would hold the port, and the next serve could not start."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def _listen(host: str, port: int, processes: int) -> list[socket.socket]:
    """One listening socket per web process (none for one process), all on `host`:`port`
    with SO_REUSEPORT: Linux spreads new connections evenly over them. (On one shared
    socket, the process that happened to be awake took the connections and kept them: a
    phone's browser keeps its connection open.)"""
    if processes == 1:
        return []
    if not sys.platform.startswith("linux"):
        # Elsewhere SO_REUSEPORT does not spread the connections: one process gets them.
        raise CommandError(_("Several web processes need Linux."))
    if settings.DEBUG:
        raise CommandError(_("The debug server runs one process: leave --processes out."))
    if connection.vendor == "sqlite":
        raise CommandError(
            _(
                "Several web processes need PostgreSQL (DATABASE_URL): SQLite's writers "
                "take their turns within one process."
            )
        )
    # The port must be free: another serve listening with SO_REUSEPORT would otherwise
    # share it with this one. A socket without the option cannot join, and fails.
    socket.create_server((host, port)).close()
    sockets = [
        socket.create_server((host, port), backlog=1024, reuse_port=True) for _n in range(processes)
    ]
    for listening in sockets:
        listening.set_inheritable(True)
    return sockets


class Command(BaseCommand):
    help = "Serve Outpost on http://HOST:PORT (and run a background task worker)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help=_("Web server processes on the one port (PostgreSQL only; one per core)."),
        )
        # A web process that serve started on its listening socket (file descriptor).
        parser.add_argument("--socket-fd", type=int, help=argparse.SUPPRESS)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=_(
                "Do not start a task worker and the scheduler (they run as separate processes)."
            ),
        )

    def handle(self, *args, host, port, threads, processes, socket_fd, no_worker, **options):
        if socket_fd is not None:
            _exit_with_parent()
            _serve_waitress(threads=threads, listening=socket.socket(fileno=socket_fd))
            return
        if processes < 1:
            raise CommandError(_("--processes must be 1 or more."))
        if settings.PRODUCTION:
            # The demo's one password was printed at every start: fine for a demo, never
            # for real data.
            usernames = demo_password_usernames()
            if usernames:
                raise CommandError(
                    _(
                        "%(count)d logins still have the demo password (e.g. %(name)s). "
                        "Production does not start until each has its own: outpost user "
                        "reset-password NAME, or outpost user deactivate NAME."
                    )
                    % {"count": len(usernames), "name": usernames[0]}
                )
        call_command("prune")  # at each start too: with --no-worker no scheduler runs here
        listening, *others = _listen(host, port, processes) or [None]
        children: dict[str, list[str]] = {}
        if not no_worker:
            # Work left running by workers that died with an earlier serve is failed now,
            # not at the scheduler's first tick; live workers' work is left alone.
            dead_workers_sweep()
            children = {
                command: [sys.executable, "-m", "outpost.cli", command]
                for command in ("db_worker", "scheduler")
            }
        # serve is the first web process; each other one gets a socket of its own.
        argv = [sys.executable, "-m", "outpost.cli", "serve", "--threads", str(threads)]
        sockets = {f"web{n}": own.fileno() for n, own in enumerate(others, start=2)}
        web = {name: [*argv, "--socket-fd", str(fd)] for name, fd in sockets.items()}
        supervisor = None
        if children or web:
            pass_fds = {name: (fd,) for name, fd in sockets.items()}
            supervisor = Supervisor({**children, **web}, pass_fds=pass_fds)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            if supervisor is not None:
                supervisor.start()
                threading.Thread(target=supervisor.run, args=(stop,), daemon=True).start()
            self.stdout.write(
                _("Outpost is serving on http://%(host)s:%(port)s/") % {"host": host, "port": port}
            )
            if settings.DEBUG:
                call_command("runserver", f"{host}:{port}", use_reloader=False)
            elif listening is not None:
                _serve_waitress(threads=threads, listening=listening)
            else:
                _serve_waitress(threads=threads, host=host, port=port)
        finally:
            stop.set()
            if supervisor is not None:
                supervisor.stop()
