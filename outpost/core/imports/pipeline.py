"""The one import pipeline (STYLE rule 8): read → find header → map columns → validate every
row → preview → commit in one transaction, with an error workbook.

Nothing here knows an ImportJob: the services in `outpost.core.imports.services` keep the
job's state, the CLI runs the same functions on a file directly.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outpost.core.imports.base import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Column,
    CommitCounts,
    RowError,
    RowImporter,
    SourceRow,
    cell_text,
)
from outpost.core.imports.bulk import bulk_writes
from outpost.core.imports.headers import SCAN_ROWS, Header, find_header
from outpost.core.imports.mapping import ColumnDetector, detect_mapping
from outpost.core.imports.readers import ImportFileError, Workbook, open_workbook

FIRST_ERRORS = 20


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while rows pile up: its full passes over a heap
    of a hundred thousand row objects cost a quarter of the time, and rows hold no cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


Progress = Callable[[float], None]


@dataclass
class SourceInfo:
    """What the mapping screen needs: the sheets, the header found and the guessed mapping."""

    sheet_names: list[str]
    sheet_name: str
    header_row: int
    headings: list[str]
    mapping: dict[str, str]


def rows_with_errors_message(rows: int) -> str:
    return ngettext(
        "%(rows)d row has errors; nothing was imported.",
        "%(rows)d rows have errors; nothing was imported.",
        rows,
    ) % {"rows": rows}


class ImportRowsInvalid(Exception):
    """Some rows have errors and the user did not ask to skip them: nothing was written."""


@dataclass
class Validation:
    total_rows: int = 0
    rows: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    bad_rows: int = 0
    predicted: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    # The importer that checked the rows: it holds what commit needs (households planned…).
    importer: RowImporter | None = None

    @property
    def valid_rows(self) -> int:
        return len(self.rows)

    @property
    def first_errors(self) -> list[dict]:
        return [e.as_dict() for e in self.errors[:FIRST_ERRORS]]


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _top_rows(sheet) -> list[list]:
    rows = []
    for row in sheet.rows():
        rows.append(row)
        if len(rows) >= SCAN_ROWS:
            break
    return rows


def _header_of(book: Workbook, name: str, detector: ColumnDetector) -> Header | None:
    sheet = book.sheet(name)
    top = _top_rows(sheet)
    if not any(cell_text(c) for r in top for c in r):
        return None
    return find_header(top, sheet.merged, detector)


def inspect_file(
    path: Path | str, *, importer: type[RowImporter], sheet_name: str | None = None
) -> SourceInfo:
    """Open the file, choose the sheet (the one whose header names most known columns,
    unless ``sheet_name`` is given), find the header and guess the mapping."""
    detector = ColumnDetector.for_kind(importer)
    with open_workbook(path) as book:
        names = book.sheet_names
        if sheet_name:
            if sheet_name not in names:
                raise ImportFileError(
                    _("The file has no sheet “%(sheet)s”.") % {"sheet": sheet_name}
                )
            header = _header_of(book, sheet_name, detector)
            if header is None:
                raise ImportFileError(_("The sheet “%(sheet)s” is empty.") % {"sheet": sheet_name})
            chosen = sheet_name
        else:
            found: list[tuple[int, int, str, Header]] = []
            problems: list[ImportFileError] = []
            for order, name in enumerate(names):
                try:
                    header = _header_of(book, name, detector)
                except ImportFileError as exc:
                    problems.append(exc)
                    continue
                if header is not None:
                    found.append((header.score, -order, name, header))
            if not found:
                if problems:
                    raise problems[0]
                raise ImportFileError(_("The file contains no data."))
            _score, _order, chosen, header = max(found, key=lambda f: (f[0], f[1]))
    return SourceInfo(
        sheet_names=names,
        sheet_name=chosen,
        header_row=header.row,
        headings=header.headings,
        mapping=detect_mapping(header.headings, detector),
    )


def columns_for(importer: type[RowImporter], headings: list[str], mapping: dict[str, str]):
    """``{field: Column}`` for the mapped columns."""
    columns = {}
    for index_text, name in mapping.items():
        if not name:
            continue
        index = int(index_text)
        heading = headings[index] if index < len(headings) else ""
        columns[name] = Column(
            index=index,
            heading=heading,
            letter=column_letter(index),
            field=name,
            sensitive=importer.get_field(name).sensitive,
        )
    return columns


def validate(
    path: Path | str,
    *,
    importer: RowImporter,
    sheet_name: str,
    header_row: int,
    progress: Progress | None = None,
) -> Validation:
    """Check every data row; nothing is written. Rows without any value in a mapped column
    are skipped (blank lines, spacing)."""
    started = time.perf_counter()
    result = Validation(importer=importer)
    columns = importer.columns
    picks = [(c.field, c.index) for c in columns.values()]
    importer.prepare()
    with open_workbook(path) as book, gc_paused():
        if sheet_name not in book.sheet_names:
            raise ImportFileError(_("The file has no sheet “%(sheet)s”.") % {"sheet": sheet_name})
        sheet = book.sheet(sheet_name)
        expected = max(sheet.row_count - header_row, 1)
        step = max(expected // 100, 500)
        for number, row in enumerate(sheet.rows(), start=1):
            if number <= header_row:
                continue
            width = len(row)
            values = {name: row[i] for name, i in picks if i < width and row[i] not in ("", None)}
            if not any(v.strip() if v.__class__ is str else True for v in values.values()):
                continue  # nothing but spaces in the mapped columns
            result.total_rows += 1
            source = SourceRow(number, values, columns)
            cleaned = importer.clean(source)
            if source.errors or cleaned is None:
                result.errors.extend(source.errors)
                result.bad_rows += 1
            else:
                result.rows.append(cleaned)
            if progress and result.total_rows % step == 0:
                progress(min(result.total_rows / expected, 1.0))
    dropped = importer.finish()
    if dropped:
        drop_ids = set()
        for cleaned, error in dropped:
            result.errors.append(error)
            drop_ids.add(id(cleaned))
        before = len(result.rows)
        result.rows = [r for r in result.rows if id(r) not in drop_ids]
        result.bad_rows += before - len(result.rows)
        result.errors.sort(key=lambda e: e.row)
    if result.total_rows == 0:
        raise ImportFileError(
            _("No data rows below the header (row %(row)d).") % {"row": header_row}
        )
    result.predicted = Counter({CREATED: 0, UPDATED: 0, UNCHANGED: 0})
    result.predicted.update(r.outcome for r in result.rows)
    result.seconds = time.perf_counter() - started
    if progress:
        progress(1.0)
    return result


def commit(
    validation: Validation,
    *,
    skip_bad_rows: bool,
    on_commit_write: Callable[[CommitCounts], Any] | None = None,
) -> CommitCounts:
    """Write the valid rows in one transaction; with errors, write nothing unless
    ``skip_bad_rows``. ``on_commit_write`` runs inside the same transaction (the caller
    records the outcome there, so that the data and the record of it commit together)."""
    if validation.errors and not skip_bad_rows:
        raise ImportRowsInvalid(rows_with_errors_message(validation.bad_rows))
    with transaction.atomic(), bulk_writes(), gc_paused():
        counts = validation.importer.commit(validation.rows)
        if on_commit_write is not None:
            on_commit_write(counts)
    return counts
