"""Reading a Parquet file as one sheet: a header row (the column names), then the rows.

A city exports its feeds as Parquet as often as csv. The file is read through pyarrow in
batches of `BATCH_ROWS` rows (one batch in memory at a time), and what its footer declares
is checked before any data is read: the rows against the limits in force, the columns
against MAX_COLUMNS, the decompressed size against `MAX_EXPANSION` times the file's size (a
small file that inflates to gigabytes is refused), and every column must be flat (text,
numbers, dates: no lists or structs). A file that is not Parquet after all (a damaged footer,
pages that do not decompress) fails with the same clear message, at any row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from outpost.core.imports.workbook import (
    MAX_COLUMNS,
    ImportFileError,
    Sheet,
    Workbook,
    current_limits,
)

PARQUET_SHEET = "Parquet"
PARQUET_MAGIC = b"PAR1"
BATCH_ROWS = 10_000
MAX_EXPANSION = 20  # decompressed data at most this many times the file's size
MAX_CELL_CHARS = 10_000


def _unreadable() -> ImportFileError:
    return ImportFileError(
        _(
            "This file starts like a Parquet file but cannot be read as one (it may be "
            "damaged or cut short). Export it again and upload it again."
        )
    )


class ParquetWorkbook(Workbook):
    kind = "parquet"

    def __init__(self, path: Path):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._path = path
        try:
            self._file = pq.ParquetFile(path)
            metadata = self._file.metadata
            schema = self._file.schema_arrow
        except (OSError, ValueError, pa.ArrowException):
            raise _unreadable() from None
        limits = current_limits()
        if metadata.num_rows + 1 > limits.max_rows:
            raise ImportFileError(
                _("The file has more than %(limit)s rows; split it into smaller files.")
                % {"limit": f"{limits.max_rows:,}"}
            )
        if len(schema) > MAX_COLUMNS:
            raise ImportFileError(
                _("Row %(row)d has more than %(limit)d columns.") % {"row": 1, "limit": MAX_COLUMNS}
            )
        nested = [f.name for f in schema if pa.types.is_nested(f.type)]
        if nested:
            raise ImportFileError(
                _(
                    "The column %(column)s holds lists or records, not values; export a plain "
                    "table (one value per cell)."
                )
                % {"column": nested[0][:60]}
            )
        inflated = sum(
            metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups)
        )
        if inflated > MAX_EXPANSION * max(path.stat().st_size, 1024 * 1024):
            raise ImportFileError(
                _("The file unpacks to far more data than its size; it cannot be read safely.")
            )
        self._names = [str(f.name) for f in schema]
        self._rows = metadata.num_rows

    @property
    def sheet_names(self) -> list[str]:
        return [PARQUET_SHEET]

    def sheet(self, name: str) -> Sheet:
        return Sheet(name=name, row_count=self._rows + 1, rows=self._iter_rows)

    def _iter_rows(self) -> Iterator[list]:
        import pyarrow as pa

        yield list(self._names)
        number = 1
        try:
            for batch in self._file.iter_batches(batch_size=BATCH_ROWS):
                columns = [_cells(column) for column in batch.columns]
                for row in zip(*columns, strict=True):
                    number += 1
                    yield list(row)
        except (OSError, ValueError, pa.ArrowException):
            raise ImportFileError(
                _(
                    "The file stops being readable after row %(row)d (it may be damaged or cut "
                    "short). Export it again and upload it again."
                )
                % {"row": number}
            ) from None

    def close(self) -> None:
        self._file = None


def _cells(column) -> list:
    """A column's values as the spreadsheet readers give them: text, numbers, dates, or ''
    for a missing value; text longer than MAX_CELL_CHARS is cut (no cell of a feed is that
    long, and a row must not carry megabytes)."""
    values = column.to_pylist()
    out = []
    for value in values:
        if value is None:
            out.append("")
        elif isinstance(value, str):
            out.append(value[:MAX_CELL_CHARS])
        elif isinstance(value, bytes):
            out.append(value[:MAX_CELL_CHARS].decode("utf-8", errors="replace"))
        elif isinstance(value, datetime.datetime | datetime.date | int | float | bool):
            out.append(value)
        else:
            out.append(str(value)[:MAX_CELL_CHARS])
    return out
