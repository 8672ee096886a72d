"""Fast bulk writes for imports: plain rows in, one statement per batch, history included.

Django's ``bulk_create`` prepares every value of every instance through the field API,
which costs more than the database's own work at import sizes (hundreds of thousands of
rows, plus as many history rows). These helpers take plain dicts keyed by ``attname``,
adapt values by field type once, and write multi-row ``INSERT … RETURNING`` and
``executemany`` updates. The django-simple-history rows they write are the ones
``bulk_create_with_history`` / ``bulk_update_with_history`` would write (same columns,
user, reason, type), so record pages show who imported what.

Only field types plain enough to adapt without the field API are accepted (text, integer,
boolean, foreign key, date, datetime, and the encrypted fields of ``core.crypto``, whose
values are encrypted here and whose blind indexes and last four are derived here);
anything else raises TypeError.
"""

from __future__ import annotations

import datetime
import enum
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, models
from django.utils import timezone

from outpost.core.chunks import chunked
from outpost.core.crypto import cipher
from outpost.core.crypto.fields import derived_fields, with_derived_values

BULK_CACHE_KB = 256 * 1024

_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.AutoField,
    models.BigAutoField,
)


def _encrypter(field: models.Field) -> Callable:
    def encrypt(value):
        return cipher.encrypt(field.to_text(value))

    # Each value its own ciphertext (a fresh nonce): never one adapted value for equal ones.
    encrypt.per_value = True
    return encrypt


def _adapter(field: models.Field) -> Callable | None:
    if getattr(field, "encrypted", False):
        return _encrypter(field)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, _PLAIN) or isinstance(field, models.BigIntegerField):
        return None
    raise TypeError(f"{field!r} is not a plain field for a bulk import")


def _defaults(field: models.Field, now: datetime.datetime):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return _plain(field.get_default())


def _plain(value):
    """Choices members as their stored value (database drivers want plain types)."""
    return value.value if isinstance(value, enum.Enum) else value


def _max_params() -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return 999
    return 65535


def _columns(model: type[models.Model], *, with_pk: bool) -> list[models.Field]:
    pk = model._meta.pk
    return [
        f
        for f in model._meta.concrete_fields
        # A generated column (a resident's last four digits) is the database's to write.
        if not f.generated
        and (
            with_pk or (f is not pk and not isinstance(f, (models.AutoField, models.BigAutoField)))
        )
    ]


@contextmanager
def bulk_writes() -> Iterator[None]:
    """For the length of a bulk write on SQLite, a page cache big enough for the indexes
    being filled (the default 2 MB makes SQLite spill and re-read pages); put back after."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{BULK_CACHE_KB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def _placeholder() -> str:
    return "?" if connection.vendor == "sqlite" else "%s"


def _execute(sql: str, params: list, *, fetch: bool = False):
    """Run one statement with ``_placeholder()`` markers. On SQLite the raw cursor is used:
    Django's wrapper rewrites ``%s`` with a regex, which costs more than the insert itself
    on statements with thousands of markers."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall() if fetch else None
        finally:
            cursor.close()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if fetch else None


def _insert_tuples(model, fields: list, tuples: Iterable[tuple], *, returning: bool) -> list:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row_sql = "(" + ", ".join([_placeholder()] * len(fields)) + ")"
    head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
    tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    batch = max(1, min(1000, _max_params() // len(fields)))
    pks: list = []
    for chunk in chunked(list(tuples), batch):
        params = [value for values in chunk for value in values]
        sql = head + ", ".join([row_sql] * len(chunk)) + tail
        result = _execute(sql, params, fetch=returning)
        if returning:
            pks.extend(r[0] for r in result)
    return pks


def _tuples(fields: list, rows: Iterable[dict]) -> Iterator[tuple]:
    values_of = operator.itemgetter(*[f.attname for f in fields])
    return _tuples_from(fields, (values_of(row) for row in rows))


def insert_rows(
    model: type[models.Model], rows: list[dict], *, returning: bool = True
) -> list[int]:
    """Insert ``rows`` (dicts by attname; missing fields get their defaults, ``auto_now``
    fields the time now) and return their primary keys in the same order. The dicts are
    completed in place (defaults, and the primary key when ``returning``), so that they
    hold what the database holds, e.g. for `insert_history`."""
    if not rows:
        return []
    now = timezone.now()
    fields = _columns(model, with_pk=False)
    defaults = [(f.attname, _defaults(f, now)) for f in fields]
    derived = [(f.attname, f.source_attname, f.derive) for f in derived_fields(model)]
    for row in rows:
        for name, default in defaults:
            if name not in row:
                row[name] = default
        for name, source, derive in derived:
            row[name] = derive(row[source])
    pks = _insert_tuples(model, fields, _tuples(fields, rows), returning=returning)
    if returning:
        pk_attname = model._meta.pk.attname
        for row, pk in zip(rows, pks, strict=True):
            row[pk_attname] = pk
    return pks


def update_rows(model: type[models.Model], changes: Iterable[tuple[int, dict]]) -> int:
    """``UPDATE … SET <changed fields> WHERE pk = …``, one ``executemany`` per set of fields."""
    groups: dict[tuple[str, ...], list[tuple[int, dict]]] = defaultdict(list)
    for pk, values in changes:
        if values:
            values = with_derived_values(model, values)
            groups[tuple(sorted(values))].append((pk, values))
    quote = connection.ops.quote_name
    meta = model._meta
    count = 0
    with connection.cursor() as cursor:
        for names, items in groups.items():
            fields = [meta.get_field(n) for n in names]
            adapters = [_adapter(f) for f in fields]
            assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
            sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
            params = [
                [
                    adapt(values[n]) if adapt and values[n] is not None else _plain(values[n])
                    for n, adapt in zip(names, adapters, strict=True)
                ]
                + [pk]
                for pk, values in items
            ]
            cursor.executemany(sql, params)
            count += len(items)
    return count


def current_rows(model: type[models.Model], pks: list[int]) -> dict[int, dict]:
    """The stored values (by attname) of the given rows, for their history records."""
    attnames = [f.attname for f in model._meta.concrete_fields]
    result = {}
    for chunk in chunked(pks, 500):
        for values in model._default_manager.filter(pk__in=chunk).values(*attnames):
            result[values[model._meta.pk.attname]] = values
    return result


def insert_history(
    model: type[models.Model],
    records: Iterable[dict],
    *,
    user,
    reason: str,
    history_type: str,
) -> None:
    """History rows (django-simple-history) for records given as full dicts by attname,
    primary key included: ``"+"`` created, ``"~"`` changed."""
    history_model = model.history.model
    tracked = [f.attname for f in history_model.tracked_fields]
    extra = {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user_id": getattr(user, "pk", None),
    }
    fields = [history_model._meta.get_field(name) for name in (*tracked, *extra)]
    tracked_of = operator.itemgetter(*tracked)
    extra_values = tuple(extra[f.attname] for f in fields[len(tracked) :])
    rows = (tracked_of(record) + extra_values for record in records)
    _insert_tuples(history_model, fields, _tuples_from(fields, rows), returning=False)


def _tuples_from(fields: list, rows: Iterable[tuple]) -> Iterator[tuple]:
    """Rows of values in field order, dates and datetimes adapted (each distinct value once)."""
    adapting = [(i, _adapter(f), {}) for i, f in enumerate(fields) if _adapter(f) is not None]
    for values in rows:
        if adapting:
            values = list(values)
            for position, adapt, seen in adapting:
                value = values[position]
                if value is not None and getattr(adapt, "per_value", False):
                    values[position] = adapt(value)
                elif value is not None:
                    adapted = seen.get(value)
                    if adapted is None:
                        adapted = seen[value] = adapt(value)
                    values[position] = adapted
        yield values
