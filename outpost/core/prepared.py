"""Reads compiled once (预编译查询): a hot read's SQL is built by the ORM once per thread and
database, then run again with new parameters.

Building a queryset and compiling it costs Django about 0.4 ms of CPU, more than the
database takes to answer a lookup by a unique key. The morning burst of self-reports runs
the same few reads thousands of times a minute, so those compile once. The query is still
written with the ORM (scoping, field names and types stay checked); only its SQL is reused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


def _stand_in(kind: type, index: int):
    """A stand-in for parameter `index` while the query compiles, found again in the compiled
    parameters by type and value: no stored text holds a NUL, no id is that negative."""
    if kind is str:
        return f"\x00prepared-{index}\x00"
    if kind is int:
        return -(2**62) - index
    raise TypeError(f"a prepared read takes text or integer parameters, not {kind.__name__}")


class PreparedRead:
    """A `values_list()` read that `build(*parameters)` writes, compiled once per thread and
    database; `rows(*values)` runs it with `values` in the parameters' places and returns
    the rows converted as the ORM converts them (JSON, decimals, SQLite's dates).

    `kinds` are the parameters' Python types, `str` or `int`, for fields that store a value
    as given (a text or integer column). Per thread, because a compiled query belongs to
    its thread's connection."""

    def __init__(self, build: Callable[..., QuerySet], *kinds: type) -> None:
        for index, kind in enumerate(kinds):
            _stand_in(kind, index)  # refuses a type it cannot stand in for
        self._build = build
        self._kinds = kinds
        self._compiled = threading.local()

    def _compile(self, alias: str):
        stand_ins = [_stand_in(kind, index) for index, kind in enumerate(self._kinds)]
        compiler = self._build(*stand_ins).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        places = []
        for stand_in in stand_ins:
            found = [i for i, p in enumerate(params) if type(p) is type(stand_in) and p == stand_in]
            if len(found) != 1:
                raise ValueError("a prepared read's parameter must reach the SQL once, unchanged")
            places.append(found[0])
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        return sql, params, places, compiler, compiler.get_converters(fields)

    def rows(self, *values, using: str = DEFAULT_DB_ALIAS) -> list:
        compiled = getattr(self._compiled, using, None)
        if compiled is None:
            compiled = self._compile(using)
            setattr(self._compiled, using, compiled)
        sql, params, places, compiler, converters = compiled
        params = list(params)
        for place, kind, value in zip(places, self._kinds, values, strict=True):
            params[place] = kind(value)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows

    def first(self, *values, using: str = DEFAULT_DB_ALIAS) -> tuple | None:
        """The first row (write `[:1]` in the query), or None."""
        rows = self.rows(*values, using=using)
        return rows[0] if rows else None


class PreparedGet:
    """The one instance of `model` whose `field` equals a value, with all its concrete fields,
    through a `PreparedRead`; `for_update` locks its row (call it in a transaction)."""

    def __init__(self, model, field: str, kind: type, *, for_update: bool = False) -> None:
        self._model = model
        self._read = PreparedRead(self._build, kind)
        self._field = field
        self._for_update = for_update

    @cached_property
    def _names(self) -> list[str]:
        # Read when first used: the model's fields are complete once the apps are ready.
        return [field.attname for field in self._model._meta.concrete_fields]

    def _build(self, value) -> QuerySet:
        rows = self._model._base_manager.filter(**{self._field: value})
        if self._for_update:
            rows = rows.select_for_update()
        return rows.order_by().values_list(*self._names)[:1]

    def get(self, value, *, using: str = DEFAULT_DB_ALIAS):
        """The instance, or None."""
        row = self._read.first(value, using=using)
        return None if row is None else self._model.from_db(using, self._names, list(row))
