"""Reading spreadsheets: xlsx with bounded work and memory (`outpost.core.imports.xlsx`),
xls through python-calamine, csv with encoding detection, Parquet through pyarrow
(`outpost.core.imports.parquet`).

A `Workbook` has named sheets; a `Sheet` yields rows as lists of cell values aligned to
column A, starting at row 1, so a row's position is the row number Excel shows. The file
type is told from its first bytes, not its name; anything that is neither a workbook nor
text fails at once with a clear message, before anything large is read. No reader trusts
what a file declares about its size: see `outpost.core.imports.xlsx`.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from outpost.core.imports.parquet import PARQUET_MAGIC, ParquetWorkbook
from outpost.core.imports.workbook import (
    MAX_COLUMNS,
    ImportFileError,
    Sheet,
    Workbook,
    current_limits,
)
from outpost.core.imports.xlsx import XlsxWorkbook

__all__ = ["ImportFileError", "Sheet", "Workbook", "open_workbook"]

# csv: how much is sniffed for the encoding, and the longest line accepted.
SNIFF_BYTES = 256 * 1024
MAX_LINE_CHARS = 100_000

CSV_SHEET = "CSV"  # a csv file is one sheet
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DELIMITERS = (",", "\t", ";")


def _head(path: Path) -> bytes:
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
        return handle.read(8)


def open_workbook(path: Path | str) -> Workbook:
    path = Path(path)
    head = _head(path)
    if head.startswith(_ZIP):
        return XlsxWorkbook(path)
    if head.startswith(_OLE):
        return XlsWorkbook(path)
    if head.startswith(PARQUET_MAGIC):
        return ParquetWorkbook(path)
    return CsvWorkbook(path)


# ---------------------------------------------------------------------------- xls


class XlsWorkbook(Workbook):
    """The old binary format, through python-calamine, which materialises a sheet's whole
    range at once: the format's own limits (65,536 rows, 256 columns) bound it, and the
    row and column limits are checked on the range before any row is handed out."""

    kind = "excel"

    def __init__(self, path: Path):
        from python_calamine import CalamineError, CalamineWorkbook

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
            return Sheet(name=name, row_count=0, rows=lambda: iter(()))
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

        return Sheet(name=name, row_count=end[0] + 1, merged=merged, rows=rows)

    def close(self) -> None:
        self._book.close()


# ---------------------------------------------------------------------------- csv


def _common_in(encoding: str, lead: Callable[[int], bool]) -> Callable[[str], bool]:
    """Is a character among the common ones of a language's encoding (its double-byte
    code's lead byte in the given ranges), or CJK punctuation?"""

    def common(ch: str) -> bool:
        code = ord(ch)
        if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E:
            return True
        try:
            encoded = ch.encode(encoding)
        except UnicodeEncodeError:
            return False
        return len(encoded) == 2 and lead(encoded[0])

    return common


# The East Asian encodings a csv may come in, the codec that reads each and what its
# common characters are: GB2312's hanzi, Big5's hanzi, Shift-JIS's kana and first kanji.
# Text in one of them read as another decodes without error more often than not, but into
# rare characters (Big5 read as GBK gives kana and Greek), hence the score.
_EAST_ASIAN = {
    "gb18030": _common_in("gb2312", lambda b: 0xB0 <= b <= 0xF7),
    "big5hkscs": _common_in("big5", lambda b: 0xA4 <= b <= 0xF9),
    "cp932": _common_in(
        "cp932", lambda b: 0x82 <= b <= 0x83 or 0x88 <= b <= 0x9F or 0xE0 <= b <= 0xEA
    ),
}
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "gb18030": "GB18030/GBK",
    "big5hkscs": "Big5",
    "cp932": "Shift-JIS",
}
_SCORED_CHARS = 20_000
# How sure a guess must be: GB18030 (the home encoding) when its text is this common;
# another only when it is, and ahead of the next one by MARGIN.
SURE = 0.9
MARGIN = 0.3


def _plausibility(text: str, common: Callable[[str], bool]) -> float:
    wide = [ch for ch in text if ord(ch) > 127][:_SCORED_CHARS]
    return sum(map(common, wide)) / len(wide) if wide else 1.0


def _decodes(sample: bytes, encoding: str) -> str | None:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        text = decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > len(text) // 100:
        return None
    return text


def detect_encoding(sample: bytes) -> str:
    """The encoding of a csv file from its first bytes: utf-8-sig / utf-16 by their
    byte-order mark; utf-8 when the sample is valid UTF-8; else whichever of GB18030
    (a superset of GBK and GB2312), Big5 and Shift-JIS reads it as common characters of its
    language. `ImportFileError` when the sample is binary, or when no encoding is clearly
    the right one (the message names the encodings read)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise _not_a_table()
    if _decodes(sample, "utf-8") is not None:
        return "utf-8"
    scores = {}
    for encoding, common in _EAST_ASIAN.items():
        text = _decodes(sample, encoding)
        if text is not None:
            scores[encoding] = _plausibility(text, common)
    if not scores:
        raise _not_a_table()
    ranked = sorted(scores, key=scores.get, reverse=True)
    best = ranked[0]
    runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
    gb = scores.get("gb18030", 0.0)
    if gb >= SURE and gb >= scores[best] - 0.05:
        return "gb18030"
    if scores[best] >= SURE and scores[best] - runner_up >= MARGIN:
        return best
    raise ImportFileError(
        _(
            "The file's text encoding could not be told for certain (it reads as %(guesses)s). "
            "Files in UTF-8 (with or without BOM), GB18030/GBK, Big5 or Shift-JIS are read; "
            "save it again as “CSV UTF-8” and upload it again."
        )
        % {"guesses": " / ".join(ENCODING_NAMES[e] for e in ranked)}
    )


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
        return Sheet(name=name, row_count=self._lines + 1, rows=self._rows)

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
