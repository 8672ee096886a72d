"""`outpost serve`: the web app, and in the embedded default also a task worker and the
scheduler of periodic jobs.

Not in debug mode it serves with waitress (a production WSGI server that needs no
compiler and runs anywhere Python does). With PostgreSQL, run workers separately
(`outpost db_worker`) on as many machines as needed, `outpost scheduler` beside them, and
pass --no-worker here.

It supervises its worker and scheduler (`outpost.core.supervisor`): one that dies is
started again, and both are stopped when serve stops (SIGTERM or Ctrl-C).
"""

import signal
import sys
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from outpost.core.selectors import demo_password_usernames
from outpost.core.supervisor import Supervisor
from outpost.core.workers import dead_workers_sweep


def _exit_on_sigterm(signum, frame):
    # SystemExit unwinds the server (waitress catches it and returns) into the `finally`
    # that stops the children; the default action would leave them without a parent.
    raise SystemExit(0)


def waitress_options(*, host: str, port: int, threads: int) -> dict:
    """How `outpost serve` runs waitress.

    Waitress would drop every X-Forwarded-* header itself (it trusts one proxy address at
    most); they reach Django, where `TrustedProxyMiddleware` believes them from the
    addresses in OUTPOST_TRUSTED_PROXIES only and drops them from everyone else.
    """
    return {
        "host": host,
        "port": port,
        "threads": threads,
        "ident": "outpost",
        "clear_untrusted_proxy_headers": False,
    }


class Command(BaseCommand):
    help = "Serve Outpost on http://HOST:PORT (and run a background task worker)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=_(
                "Do not start a task worker and the scheduler (they run as separate processes)."
            ),
        )

    def handle(self, *args, host, port, threads, no_worker, **options):
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
        supervisor = None
        stop = threading.Event()
        if not no_worker:
            # Work left running by workers that died with an earlier serve is failed now,
            # not at the scheduler's first tick; live workers' work is left alone.
            dead_workers_sweep()
            supervisor = Supervisor(
                {
                    command: [sys.executable, "-m", "outpost.cli", command]
                    for command in ("db_worker", "scheduler")
                }
            )
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
            else:
                from waitress import serve

                from outpost.wsgi import application

                serve(application, **waitress_options(host=host, port=port, threads=threads))
        finally:
            stop.set()
            if supervisor is not None:
                supervisor.stop()
