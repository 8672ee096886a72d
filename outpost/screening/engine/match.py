"""``match_feed``: the engine's entry point, its DuckDB connection and its stages."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from .candidates import _candidate_pairs
from .decide import _decide
from .lazy import UnmatchedRows
from .names import _pinyin_dict
from .normalise import _bad_ids, _load, _normalise_odd
from .records import FEED_COLUMNS, RESIDENT_COLUMNS, FeedColumns, MatchResult, ResidentColumns


class _InBackground:
    """A function's result computed in a thread of its own; `result()` waits for it and
    raises what the function raised."""

    def __init__(self, function: Callable[[], Any], *, name: str) -> None:
        self._function = function
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._function()
        except BaseException as error:  # handed to the caller by result()
            self._error = error

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def match_feed(
    residents: ResidentColumns
    | Mapping[str, Sequence]
    | pa.Table
    | duckdb.DuckDBPyRelation
    | os.PathLike
    | Callable[[], ResidentColumns | Mapping[str, Sequence] | pa.Table],
    feed_rows: FeedColumns | Mapping[str, Sequence] | duckdb.DuckDBPyRelation | os.PathLike,
    decisions: Mapping[Any, Any] | None = None,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
) -> MatchResult:
    """Link each feed row to at most one resident (see the package docstring,
    :mod:`outpost.screening.engine`)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    own = con is None
    spill = None
    if own:
        con, spill = _own_connection()
    keep_open = False
    # The engine writes and updates temporary tables of millions of rows; DuckDB's automatic
    # checkpoint (every 16 MiB of changes) would recompress them mid-run, for seconds.
    threshold = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0]
    con.execute("SET checkpoint_threshold = '1TB'")
    try:
        # Parquet files (a run's exported residents and feed rows): read by DuckDB.
        if isinstance(residents, os.PathLike):
            residents = con.read_parquet(os.fspath(residents))
        if isinstance(feed_rows, os.PathLike):
            feed_rows = con.read_parquet(os.fspath(feed_rows))
        if callable(residents):
            # Residents still to be made (e.g. decrypted): made in the background, while
            # DuckDB (which releases the GIL) reads and normalises the feed.
            residents = _InBackground(residents, name="outpost-residents")
        else:
            _load(con, residents, RESIDENT_COLUMNS, "res")
        # pypinyin's dictionary (a JSON file of 40,000 characters) is read in the background
        # too.
        threading.Thread(target=_pinyin_dict, name="outpost-pinyin", daemon=True).start()
        _load(con, feed_rows, FEED_COLUMNS, "feed")
        if isinstance(residents, _InBackground):
            _load(con, residents.result(), RESIDENT_COLUMNS, "res")
        timings["load"] = time.perf_counter() - started
        for table in ("res", "feed"):
            _normalise_odd(con, table)
            _bad_ids(con, table)
        timings["normalise"] = time.perf_counter() - started
        _candidate_pairs(con)
        timings["sql_candidates"] = time.perf_counter() - started
        result = _decide(con, decisions or {})
        timings["decide"] = time.perf_counter() - started
        keep_open = own and isinstance(result.unmatched, UnmatchedRows)
        if keep_open:  # the spill directory goes with the lazy list's connection
            weakref.finalize(result.unmatched, shutil.rmtree, spill, True)
        result.timings = timings
        return result
    finally:
        if own and not keep_open:
            con.close()
            shutil.rmtree(spill, ignore_errors=True)
        else:
            con.execute(f"SET checkpoint_threshold = '{threshold}'")


# DuckDB's defaults for a connection of the engine's own: 80 % of the machine's memory, and
# spill files in '.tmp' under the working directory. A task worker shares its machine, and
# what spills holds the feed's and the residents' IDs and phones in clear: a limit (a district,
# 2,000,000 rows, peaks near 450 MB; beyond the limit DuckDB spills instead of failing), and
# a private directory (mkdtemp: mode 0700) removed afterwards. A caller passing ``con`` sets
# its own (bench/matching_engine.py --memory-limit).
OWN_MEMORY_LIMIT = "2GB"


def _own_connection() -> tuple[duckdb.DuckDBPyConnection, str]:
    spill = tempfile.mkdtemp(prefix="outpost-match-")
    config = {"memory_limit": OWN_MEMORY_LIMIT, "temp_directory": spill}
    return duckdb.connect(config=config), spill
