"""Several counts in one query (计数合并).

The home page counts some 25 lists (to-do lines and tiles), each a queryset the list's page
shows. Counted one by one, each is a round trip to the database and a query of its own;
counted together, the database answers one `SELECT (SELECT COUNT(*) ...), ...` with every
count, each over the same rows `QuerySet.count()` would count.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def count_together(querysets: Sequence[QuerySet]) -> list[int]:
    """The number of rows of each queryset, in order, read in one query per database."""
    counts: list[int | None] = [None] * len(querysets)
    parts: dict[str, list[tuple[int, str, tuple]]] = {}
    for index, queryset in enumerate(querysets):
        # Only the keys: the count needs no ordering and no other column. A queryset of
        # chosen values (e.g. distinct pairs) is counted as it is.
        keys = queryset.order_by()
        if not keys.query.values_select:
            keys = keys.values("pk")
        try:
            sql, params = keys.query.sql_with_params()
        except EmptyResultSet:  # .none(), or an IN over an empty list
            counts[index] = 0
            continue
        parts.setdefault(queryset.db, []).append((index, sql, params))
    for alias, queries in parts.items():
        select = ", ".join(f"(SELECT COUNT(*) FROM ({sql}) AS counted)" for _i, sql, _p in queries)
        params = [param for _i, _sql, query_params in queries for param in query_params]
        with connections[alias].cursor() as cursor:
            cursor.execute(f"SELECT {select}", params)
            row = cursor.fetchone()
        for (index, _sql, _params), count in zip(queries, row, strict=True):
            counts[index] = count
    return counts
