"""Reading spreadsheets: xlsx/xls/ods through python-calamine, csv with encoding detection.

A `Workbook` has named sheets; a `Sheet` yields rows as lists of cell values aligned to
column A, starting at row 1, so a row's position is the row number Excel shows. The file
type is told from its first bytes, not its name; anything that is neither a workbook nor
text fails at once with a clear message, before anything large is read.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

# Beyond this the station splits the file: it protects the worker's memory.
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ROWS = 500_000
MAX_COLUMNS = 200
# csv: how much is sniffed for the encoding, and the longest line accepted.
SNIFF_BYTES = 256 * 1024
MAX_LINE_CHARS = 100_000

CSV_SHEET = "CSV"  # a csv file is one sheet
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCODINGS = ("utf-8", "gb18030")
_DELIMITERS = (",", "\t", ";")


_sheet_cache: dict | None = None


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


@contextmanager
def reuse_sheets() -> Iterator[None]:
    """Within this block a sheet read once is kept and read again from memory (the CLI reads
    a file's header and then its rows in one process; a web worker never holds on to one)."""
    global _sheet_cache
    outer = _sheet_cache
    _sheet_cache = {} if outer is None else outer
    try:
        yield
    finally:
        if outer is None:
            _sheet_cache = None


class ImportFileError(Exception):
    """The file cannot be read at all. The message is translated and meant for the user."""


@dataclass
class Sheet:
    name: str
    # Number of rows, as far as known before reading (used for progress).
    row_count: int
    # Merged cells as (first row, first column, last row, last column), 0-based inclusive.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    _rows: Any = None

    def rows(self) -> Iterator[list]:
        return self._rows()


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


def file_kind(path: Path) -> str:
    """``"excel"`` or ``"csv"`` from the first bytes; `ImportFileError` for anything else."""
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    max_bytes = current_limits().max_bytes
    if size > max_bytes:
        raise ImportFileError(
            _("The file is larger than %(limit)d MB; split it into smaller files.")
            % {"limit": max_bytes // (1024 * 1024)}
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP) or head.startswith(_OLE):
        return "excel"
    return "csv"


def open_workbook(path: Path | str) -> Workbook:
    path = Path(path)
    if file_kind(path) == "excel":
        return ExcelWorkbook(path)
    return CsvWorkbook(path)


# ---------------------------------------------------------------------------- Excel


class ExcelWorkbook(Workbook):
    kind = "excel"

    def __init__(self, path: Path):
        from python_calamine import CalamineError, CalamineWorkbook

        stat = path.stat()
        self._key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        try:
            self._book = CalamineWorkbook.from_path(str(path))
        except CalamineError as exc:
            raise ImportFileError(
                _(
                    "The file could not be read as an Excel workbook (%(detail)s). Save it "
                    "again from Excel or WPS as .xlsx and upload it again."
                )
                % {"detail": str(exc)[:120]}
            ) from None
        self._names = [
            meta.name for meta in self._book.sheets_metadata if str(meta.typ).endswith("WorkSheet")
        ]

    @property
    def sheet_names(self) -> list[str]:
        return list(self._names)

    def sheet(self, name: str) -> Sheet:
        if _sheet_cache is not None:
            key = (*self._key, name)
            if key not in _sheet_cache:
                _sheet_cache.clear()
                _sheet_cache[key] = self._read_sheet(name)
            return _sheet_cache[key]
        return self._read_sheet(name)

    def _read_sheet(self, name: str) -> Sheet:
        from python_calamine import CalamineError

        try:
            sheet = self._book.get_sheet_by_name(name)
        except CalamineError as exc:
            raise ImportFileError(
                _("The sheet “%(sheet)s” could not be read (%(detail)s).")
                % {"sheet": name, "detail": str(exc)[:120]}
            ) from None
        end = sheet.end
        start = sheet.start
        if end is None or start is None:
            return Sheet(name=name, row_count=0, _rows=lambda: iter(()))
        max_rows = current_limits().max_rows
        if end[0] + 1 > max_rows:
            raise ImportFileError(
                _(
                    "The sheet “%(sheet)s” has more than %(limit)s rows; split it into smaller files."
                )
                % {"sheet": name, "limit": f"{max_rows:,}"}
            )
        if end[1] + 1 > MAX_COLUMNS:
            raise ImportFileError(
                _("The sheet “%(sheet)s” has more than %(limit)d columns.")
                % {"sheet": name, "limit": MAX_COLUMNS}
            )
        merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
        first_column = start[1]

        def rows() -> Iterator[list]:
            # calamine yields every row from row 1 on, but only the columns from the first
            # one with data; pad so that index 0 is column A.
            pad = [""] * first_column
            for row in sheet.iter_rows():
                yield pad + row if first_column else row

        return Sheet(name=name, row_count=end[0] + 1, merged=merged, _rows=rows)

    def close(self) -> None:
        self._book.close()


# ---------------------------------------------------------------------------- csv


def detect_encoding(sample: bytes) -> str:
    """utf-8-sig / utf-16 by their byte-order mark, else the first of utf-8 and GB18030
    (a superset of GBK and GB2312) that decodes the sample; `ImportFileError` when none does
    or the sample is binary."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise _not_a_table()
    for encoding in _ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            text = decoder.decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
        if controls > len(text) // 100:
            continue
        return encoding
    raise _not_a_table()


def _not_a_table() -> ImportFileError:
    return ImportFileError(
        _(
            "This file is neither an Excel workbook (.xlsx, .xls) nor a text file of "
            "comma-separated values (.csv). Check that you chose the right file."
        )
    )


class CsvWorkbook(Workbook):
    kind = "csv"

    def __init__(self, path: Path):
        self._path = path
        with path.open("rb") as handle:
            sample = handle.read(SNIFF_BYTES)
        self.encoding = detect_encoding(sample)
        text = sample.decode(self.encoding, errors="ignore")
        lines = text.splitlines()[:20]
        counts = {d: sum(line.count(d) for line in lines) for d in _DELIMITERS}
        self.delimiter = max(_DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","
        with path.open("rb") as handle:
            self._lines = sum(
                chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")
            )
        max_rows = current_limits().max_rows
        if self._lines + 1 > max_rows:
            raise ImportFileError(
                _("The file has more than %(limit)s rows; split it into smaller files.")
                % {"limit": f"{max_rows:,}"}
            )

    @property
    def sheet_names(self) -> list[str]:
        return [CSV_SHEET]

    def sheet(self, name: str) -> Sheet:
        return Sheet(name=name, row_count=self._lines + 1, _rows=self._rows)

    def _rows(self) -> Iterator[list]:
        with self._path.open("rb") as raw:
            stream = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
            reader = csv.reader(_bounded_lines(stream), delimiter=self.delimiter)
            number = 0
            try:
                for row in reader:
                    number = reader.line_num
                    if len(row) > MAX_COLUMNS:
                        raise ImportFileError(
                            _("Row %(row)d has more than %(limit)d columns.")
                            % {"row": number, "limit": MAX_COLUMNS}
                        )
                    yield row
            except UnicodeDecodeError:
                raise ImportFileError(
                    _(
                        "The file stops being readable text after row %(row)d (it is not all "
                        "in one encoding). Save it again as CSV UTF-8 and upload it again."
                    )
                    % {"row": number}
                ) from None
            except csv.Error as exc:
                raise ImportFileError(
                    _("Row %(row)d cannot be read as comma-separated values (%(detail)s).")
                    % {"row": number + 1, "detail": str(exc)[:120]}
                ) from None


def _bounded_lines(stream) -> Iterator[str]:
    """Lines of at most MAX_LINE_CHARS: a file of garbage must not be read into memory whole."""
    while True:
        line = stream.readline(MAX_LINE_CHARS)
        if not line:
            return
        if len(line) >= MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise ImportFileError(
                _(
                    "The file has a line longer than %(limit)s characters; it does not look like "
                    "a table of rows."
                )
                % {"limit": f"{MAX_LINE_CHARS:,}"}
            )
        yield line
