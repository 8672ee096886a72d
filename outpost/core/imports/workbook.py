"""What every spreadsheet reader shares (`readers`, `xlsx`): the limits of what is read,
the error a user is shown, and the `Workbook` and `Sheet` a reader gives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

# Beyond this the station splits the file: it protects the worker's memory.
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ROWS = 500_000
MAX_COLUMNS = 200


@dataclass(frozen=True)
class ReadLimits:
    """The largest file and sheet a reader accepts (see `read_limits`)."""

    max_bytes: int
    max_rows: int


_limits: ContextVar[ReadLimits | None] = ContextVar("outpost_read_limits", default=None)


@contextmanager
def read_limits(*, max_bytes: int, max_rows: int) -> Iterator[None]:
    """Within this block the readers accept files up to these limits instead of
    MAX_FILE_BYTES and MAX_ROWS (the arrival feeds, which are read by the worker in a
    stream, allow more than the registry's imports)."""
    token = _limits.set(ReadLimits(max_bytes=max_bytes, max_rows=max_rows))
    try:
        yield
    finally:
        _limits.reset(token)


def current_limits() -> ReadLimits:
    """The limits in force: those of the enclosing `read_limits`, else the module's."""
    return _limits.get() or ReadLimits(max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS)


class ImportFileError(Exception):
    """The file cannot be read at all. The message is translated and meant for the user."""


class Sheet:
    """One sheet: its rows read on demand (a stream), its merged cells looked for only when
    asked (``merged`` may be given as a function)."""

    def __init__(
        self,
        *,
        name: str,
        row_count: int,
        rows: Callable[[], Iterator[list]],
        merged: list | Callable[[], list] = (),
    ):
        self.name = name
        # Number of rows, as far as known before reading (used for progress).
        self.row_count = row_count
        self._rows = rows
        self._merged = merged

    def rows(self) -> Iterator[list]:
        return self._rows()

    @property
    def merged(self) -> list[tuple[int, int, int, int]]:
        """Merged cells as (first row, first column, last row, last column), 0-based
        inclusive."""
        if callable(self._merged):
            self._merged = self._merged()
        return list(self._merged)


class Workbook:
    kind = ""

    @property
    def sheet_names(self) -> list[str]:
        raise NotImplementedError

    def sheet(self, name: str) -> Sheet:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
