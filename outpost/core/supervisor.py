"""The child processes of `outpost serve` (its task worker, the scheduler and, with
`--processes`, its other web processes), kept running.

A child that exits is started again after a back-off that doubles with each exit in a
row (1 s, 2 s, 4 s … at most a minute) and starts over once a child has run for a minute,
so a child that cannot start does not spin. Stopping asks each child to stop (SIGTERM: a
worker finishes its task first) and kills the ones still there after a grace period; a
task killed that way is failed by the next sweep of dead workers (`outpost.core.workers`).

Children run in their own session, so a Ctrl-C at the terminal reaches only `serve`, which
then stops them itself instead of racing them to restart.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

logger = logging.getLogger("outpost.serve")

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
STABLE_AFTER = 60.0
STOP_GRACE = 10.0


@dataclass
class _Child:
    name: str
    argv: Sequence[str]
    pass_fds: tuple[int, ...] = ()  # file descriptors it inherits (a listening socket)
    process: subprocess.Popen | None = None
    started: float = 0.0
    exits_in_a_row: int = 0
    restart_at: float = 0.0


class Supervisor:
    """Starts `commands` (name → argv; `pass_fds`: name → the file descriptors it
    inherits), restarts any that exits, stops them all."""

    def __init__(
        self,
        commands: dict[str, Sequence[str]],
        *,
        pass_fds: dict[str, tuple[int, ...]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        backoff_first: float = BACKOFF_FIRST,
        backoff_max: float = BACKOFF_MAX,
        stable_after: float = STABLE_AFTER,
    ) -> None:
        pass_fds = pass_fds or {}
        self.children = [
            _Child(name, list(argv), pass_fds.get(name, ())) for name, argv in commands.items()
        ]
        self.clock = clock
        self.backoff_first = backoff_first
        self.backoff_max = backoff_max
        self.stable_after = stable_after
        self._lock = threading.Lock()
        self._stopping = False

    def _spawn(self, child: _Child) -> None:
        child.process = subprocess.Popen(
            child.argv, start_new_session=True, pass_fds=child.pass_fds
        )
        child.started = self.clock()
        logger.info("%s started (pid %s)", child.name, child.process.pid)

    def start(self) -> None:
        with self._lock:
            for child in self.children:
                self._spawn(child)

    def poll(self) -> list[str]:
        """Note the children that exited and start again those whose back-off is over;
        returns the names started again."""
        restarted = []
        with self._lock:
            if self._stopping:
                return restarted
            now = self.clock()
            for child in self.children:
                if child.process is not None:
                    code = child.process.poll()
                    if code is None:
                        continue
                    ran = now - child.started
                    child.exits_in_a_row = (
                        1 if ran >= self.stable_after else child.exits_in_a_row + 1
                    )
                    delay = min(
                        self.backoff_first * 2 ** (child.exits_in_a_row - 1), self.backoff_max
                    )
                    child.restart_at = now + delay
                    child.process = None
                    logger.error(
                        "%s exited with code %s after %.0f s; starting it again in %.0f s",
                        child.name,
                        code,
                        ran,
                        delay,
                    )
                if now >= child.restart_at:
                    self._spawn(child)
                    restarted.append(child.name)
        return restarted

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Poll every `interval` seconds until `stop` is set."""
        while not stop.wait(interval):
            try:
                self.poll()
            except OSError:
                logger.exception("could not start a child process; trying again")

    def stop(self, grace: float = STOP_GRACE) -> None:
        """Ask every child to stop; kill those still running after `grace` seconds."""
        with self._lock:
            self._stopping = True
            running = [c.process for c in self.children if c.process and c.process.poll() is None]
            for process in running:
                process.terminate()
            deadline = time.monotonic() + grace
            for process in running:
                try:
                    process.wait(timeout=max(deadline - time.monotonic(), 0))
                except subprocess.TimeoutExpired:
                    logger.warning("pid %s did not stop in %.0f s; killed", process.pid, grace)
                    process.kill()
                    process.wait()

    def pids(self) -> dict[str, int | None]:
        with self._lock:
            return {c.name: c.process.pid if c.process else None for c in self.children}
