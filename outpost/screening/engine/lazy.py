"""Results too large for Python objects: the unmatched rows and the links, kept in DuckDB or
as Arrow and made into Python objects as they are read."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pyarrow as pa

from .records import Candidate, Link


class UnmatchedRows(Sequence):
    """The row ids of the feed rows without a link, in feed order, fetched on first use.

    Millions of Python ints cost seconds to make; callers mostly want ``len()``. Holds the
    DuckDB connection (with the feed's keys, ``table``, and the rowids of the linked rows,
    ``linked``) until the ids are fetched."""

    def __init__(self, con, table: str, linked: str, count: int) -> None:
        self._con, self._table, self._linked, self._count = con, table, linked, count
        self._ids: list | None = None

    def _load(self) -> list:
        if self._ids is None:
            self._ids = [
                r[0]
                for r in self._con.execute(
                    f"""SELECT key FROM {self._table}
                    WHERE rowid NOT IN (SELECT idx FROM {self._linked}) ORDER BY rowid"""
                ).fetchall()
            ]
            for table in (self._table, self._linked):
                self._con.execute(f"DROP TABLE IF EXISTS {table}")
            self._con = None
        return self._ids

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._load()[index]

    def __iter__(self):
        return iter(self._load())

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    def __repr__(self) -> str:
        return f"<UnmatchedRows {self._count}>"


LINKS_BATCH = 50_000  # links per Arrow chunk

_LINK_COLUMNS = (
    "fi",
    "row_id",
    "resident_id",
    "rule",
    "score",
    "agreed",
    "status",
    "identity_key",
    "detail",
    "candidates",
)


class _LinkBatches:
    """The links as they are decided, kept column by column as Arrow (about 70 bytes a link;
    as Python objects a few hundred), a chunk per :data:`LINKS_BATCH` links."""

    _TEXT = pa.dictionary(pa.int8(), pa.string())  # rule, status, detail, agreed fields

    def __init__(self) -> None:
        self._chunks: list[pa.Table] = []
        self._columns: dict[str, list] = {name: [] for name in _LINK_COLUMNS}

    def add(self, fi: int, link: Link) -> None:
        columns = self._columns
        columns["fi"].append(fi)
        columns["row_id"].append(link.row_id)
        columns["resident_id"].append(link.resident_id)
        columns["rule"].append(link.rule)
        columns["score"].append(link.score)
        columns["agreed"].append(",".join(link.agreed_fields))
        columns["status"].append(link.status)
        columns["identity_key"].append(link.identity_key)
        columns["detail"].append(link.detail)
        # One candidate is the linked resident with the link's score and fields; several
        # (a tie, rare) are kept as JSON.
        single = len(link.candidates) == 1 and link.candidates[0] == Candidate(
            link.resident_id, link.score, link.agreed_fields
        )
        columns["candidates"].append(
            None
            if single
            else json.dumps([[c.resident_id, c.score, c.agreed_fields] for c in link.candidates])
        )
        if len(columns["fi"]) >= LINKS_BATCH:
            self._flush()

    def _flush(self) -> None:
        columns = self._columns
        if not columns["fi"]:
            return
        arrays = {
            "fi": pa.array(columns["fi"], pa.int64()),
            "row_id": pa.array(columns["row_id"]),
            "resident_id": pa.array(columns["resident_id"]),
            "score": pa.array(columns["score"], pa.int8()),
            "identity_key": pa.array(columns["identity_key"], pa.string()),
            "candidates": pa.array(columns["candidates"], pa.string()),
        }
        for name in ("rule", "agreed", "status", "detail"):
            arrays[name] = pa.array(columns[name], self._TEXT)
        self._chunks.append(pa.table({name: arrays[name] for name in _LINK_COLUMNS}))
        self._columns = {name: [] for name in _LINK_COLUMNS}

    def table(self) -> pa.Table:
        self._flush()
        if not self._chunks:
            return pa.table({name: pa.array([], pa.int64()) for name in _LINK_COLUMNS})
        # A chunk whose ids are all None (ties only) has a column of type null: promoted.
        return pa.concat_tables(self._chunks, promote_options="default")


class LinkRows(Sequence):
    """The links of a run with many (more than :data:`EAGER_LINKS`), in feed order, kept as an
    Arrow table and made into :class:`Link` objects as they are iterated (a batch at a time:
    a caller that goes through them once never holds them all as Python objects)."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table

    def __len__(self) -> int:
        return self._table.num_rows

    def __iter__(self):
        fields: dict[str, tuple[str, ...]] = {"": ()}
        for batch in self._table.to_batches(max_chunksize=LINKS_BATCH):
            columns = batch.to_pydict()
            for row_id, rid, rule, score, agreed, status, ik, detail, ties in zip(
                *(columns[name] for name in _LINK_COLUMNS[1:]), strict=True
            ):
                agreed_fields = fields.get(agreed)
                if agreed_fields is None:
                    agreed_fields = fields[agreed] = tuple(agreed.split(","))
                if ties is None:
                    candidates = (Candidate(rid, score, agreed_fields),)
                else:
                    candidates = tuple(Candidate(c, s, tuple(a)) for c, s, a in json.loads(ties))
                yield Link(
                    row_id, rid, rule, score, agreed_fields, status, ik, candidates, detail or ""
                )

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError("link index out of range")
        # One row of the table made into its Link, not every link before it.
        return next(iter(LinkRows(self._table.slice(position, 1))))

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    def __repr__(self) -> str:
        return f"<LinkRows {len(self)}>"
