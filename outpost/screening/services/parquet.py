"""A screening run's residents and feed rows exported to Parquet for the matching engine
(比对用数据).

The engine reads the residents from a Parquet file with DuckDB, within its memory limit
(spilling to disk beyond it), instead of from Python objects: one Resident object per person
would cost a city's worker gigabytes; the same goes for a feed's millions of rows. The files
hold IDs and phones in clear (the engine compares them), so they are written into a private
directory that the run removes (`private_workdir`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from outpost.core.chunks import chunked
from outpost.core.crypto import cipher
from outpost.registry.models import Resident
from outpost.screening.models import FeedRow

EXPORT_BATCH = 50_000  # residents read, decrypted and written at a time

FEED_SCHEMA = pa.schema(
    [
        ("row_id", pa.int64()),
        ("name", pa.string()),
        ("id_number", pa.string()),
        ("phone", pa.string()),
    ]
)
RESIDENTS_SCHEMA = pa.schema(
    [
        ("resident_id", pa.int64()),
        ("name", pa.string()),
        ("id_number", pa.string()),
        ("phone", pa.string()),
        ("birth_date", pa.date32()),
    ]
)


@contextmanager
def private_workdir() -> Iterator[Path]:
    """A directory of the run's own (mode 0700), removed with what it holds when the run ends,
    whether it succeeds or fails."""
    with tempfile.TemporaryDirectory(prefix="outpost-run-") as path:
        yield Path(path)


def residents_to_parquet(residents: QuerySet[Resident], path: Path) -> int:
    """Write `residents` (pk, name, ID, phone, birth date) to the Parquet file `path`, a batch
    at a time; returns how many. The IDs and phones are read as stored (ciphertexts: no
    decryption per value by the ORM) and decrypted a column at a time
    (`cipher.decrypt_column`); on PostgreSQL the rows stream from a server-side cursor."""
    rows = residents.order_by().values_list(
        "pk",
        "name",
        Cast("id_number", output_field=CharField()),
        Cast("phone", output_field=CharField()),
        "birth_date",
    )

    def table(pks, names, ids, phones, births) -> pa.Table:
        return pa.table(
            {
                "resident_id": pa.array(pks, pa.int64()),
                "name": pa.array(names, pa.string()),
                "id_number": _clear(ids),
                "phone": _clear(phones),
                "birth_date": pa.array(births, pa.date32()),
            },
            schema=RESIDENTS_SCHEMA,
        )

    return _write(rows, path, RESIDENTS_SCHEMA, table)


def feed_rows_to_parquet(rows: QuerySet[FeedRow], path: Path) -> int:
    """Write the feed rows `rows` (pk as row_id, name, ID, phone; feeds carry no birth date)
    to the Parquet file `path` in the order of the feeds and their rows, as
    :func:`residents_to_parquet` writes residents; returns how many."""
    values = rows.order_by("feed_id", "row_number").values_list(
        "pk",
        "name",
        Cast("id_number", output_field=CharField()),
        Cast("phone", output_field=CharField()),
    )

    def table(pks, names, ids, phones) -> pa.Table:
        return pa.table(
            {
                "row_id": pa.array(pks, pa.int64()),
                "name": pa.array(names, pa.string()),
                "id_number": _clear(ids),
                "phone": _clear(phones),
            },
            schema=FEED_SCHEMA,
        )

    return _write(values, path, FEED_SCHEMA, table)


def _write(rows: QuerySet, path: Path, schema: pa.Schema, table) -> int:
    """The rows of a `values_list` queryset through `table` (one argument per column) into
    the Parquet file `path`, :data:`EXPORT_BATCH` at a time."""
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        for batch in chunked(rows.iterator(chunk_size=EXPORT_BATCH), EXPORT_BATCH):
            writer.write_table(table(*zip(*batch, strict=True)))
            count += len(batch)
    return count


def residents_present(path: Path, resident_ids: set[int]) -> set[int]:
    """Which of `resident_ids` the Parquet file of residents holds (read: its id column only)."""
    if not resident_ids:
        return set()
    ids = pq.read_table(path, columns=["resident_id"])["resident_id"]
    wanted = pa.array(sorted(resident_ids), pa.int64())
    return set(pc.filter(ids, pc.is_in(ids, value_set=wanted)).to_pylist())


def _clear(tokens: tuple) -> pa.Array:
    """The stored ciphertexts of one column in clear (blank values as nulls)."""
    return cipher.decrypt_column(pa.array(tokens, pa.string())).cast(pa.string())
