"""Django's SQLite backend with the writers of one process queued in line (写入排队).

SQLite lets one transaction write at a time. Outpost begins every transaction IMMEDIATE
(settings: WAL, a busy timeout), so a transaction that finds the write lock taken waits
in SQLite's busy handler, which does not queue: it sleeps and tries again, sleeping
longer each time (1, 2, 5, 10 … up to 100 ms between tries). Under a burst of writers
(the morning's self-reports on 8 server threads) a writer that happens to retry late
waits many turns of the others: that is the tail of the latencies, not the writing.

Here a thread takes its turn in a first-come, first-served line of this process before it
sends BEGIN, and gives it back when the transaction commits or rolls back; so the
threads of one process never wait in the busy handler for each other, only for another
process (a task worker, a command), which the busy timeout still covers.

Only the outermost `transaction.atomic` takes a turn (inner ones are savepoints of the
same transaction); a thread that already holds its turn never waits for it again.
Statements outside any transaction (autocommit) are not queued.
"""

from __future__ import annotations

import collections
import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# A transaction that does not begin IMMEDIATE or EXCLUSIVE takes the write lock only at
# its first write, if at all: it is not queued.
QUEUED_MODES = frozenset({"IMMEDIATE", "EXCLUSIVE"})


class WriterLine:
    """A first-come, first-served lock: `release` hands the lock to the thread that has
    waited longest. (A `threading.Lock` lets the thread that releases it take it straight
    back, so a busy thread can keep the others waiting.) Not tied to a thread: any thread
    may release it, as a connection shared between threads may commit from either."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiting: collections.deque[threading.Lock] = collections.deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        if turn.acquire(timeout=timeout):
            return True
        with self._mutex:
            try:
                self._waiting.remove(turn)
            except ValueError:  # handed over just as the wait ran out: it is ours
                return True
        return False

    @property
    def waiting(self) -> int:
        """How many threads wait in line."""
        return len(self._waiting)

    def release(self) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().release()  # held on, by the next in line
            else:
                self._held = False


_lines: dict[str, WriterLine] = {}
_lines_lock = threading.Lock()


def writer_line(name: str) -> WriterLine:
    """The one line of this process for the database file `name`."""
    with _lines_lock:
        return _lines.setdefault(name, WriterLine())


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._writer_line: WriterLine | None = None  # set while this connection holds a turn

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode not in QUEUED_MODES or self._writer_line is not None:
            super()._start_transaction_under_autocommit()
            return
        line = writer_line(str(self.settings_dict["NAME"]))
        # As long as SQLite itself would wait for the lock.
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        if not line.acquire(timeout):
            raise OperationalError(
                f"database is locked: waited {timeout:g} s for the other writers of this process"
            )
        self._writer_line = line
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._writer_turn_end()
            raise

    def _writer_turn_end(self) -> None:
        line, self._writer_line = self._writer_line, None
        if line is not None:
            line.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._writer_turn_end()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._writer_turn_end()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._writer_turn_end()
