"""Rate limits for public pages (限流), counted in the database.

Django's cache is per process unless a shared cache server is configured, and its
database backend's ``incr`` is a read then a write that loses counts under concurrency.
A counter row per key and fixed window, counted with one
``INSERT … ON CONFLICT DO UPDATE SET hits = hits + 1 RETURNING hits``, is exact on SQLite
and PostgreSQL with any number of processes: the row lock (the write lock on SQLite)
orders concurrent hits on one key, and the count returned is this request's own. One
statement, not an update, an insert and a read: a self-report counts inside the
transaction that stores it, and on SQLite that transaction holds the one write lock.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from outpost.core.models import RateCounter

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateLimit:
    """At most `hits` requests per `seconds` for one key of this `name`."""

    name: str
    hits: int
    seconds: int


# A burst opens many windows at once (each person's link its own): sweeping at each one
# would add a write per request. Once a minute per process is enough to keep the table
# to the windows of the last few minutes.
SWEEP_EVERY = 60.0
_last_sweep = [float("-inf")]
_sweep_lock = threading.Lock()


def _sweep(now: datetime.datetime) -> None:
    with _sweep_lock:
        if time.monotonic() - _last_sweep[0] < SWEEP_EVERY:
            return
        _last_sweep[0] = time.monotonic()
    RateCounter.objects.filter(expires_at__lte=now).delete()


def _count_sql() -> str:
    table, key, window_start, hits, expires_at = map(
        connection.ops.quote_name,
        (RateCounter._meta.db_table, "key", "window_start", "hits", "expires_at"),
    )
    return (
        f"INSERT INTO {table} ({key}, {window_start}, {hits}, {expires_at}) "
        f"VALUES (%s, %s, 1, %s) ON CONFLICT ({key}, {window_start}) "
        f"DO UPDATE SET {hits} = {table}.{hits} + 1 RETURNING {hits}"
    )


def rate_limit_hit(*, limit: RateLimit, key: str, now: datetime.datetime | None = None) -> bool:
    """Count one request of `key` against `limit`; True when it is over the limit (refuse
    it). Refused requests count too, so hammering does not reopen the window early."""
    now = now or timezone.now()
    epoch = int(now.timestamp())
    window_start = datetime.datetime.fromtimestamp(epoch - epoch % limit.seconds, tz=datetime.UTC)
    expires_at = window_start + datetime.timedelta(seconds=limit.seconds)
    as_db = connection.ops.adapt_datetimefield_value  # raw SQL: the backend's own form
    # Outside a transaction it begins one, so that on SQLite it waits in the writers'
    # line (outpost.core.backends.sqlite3); inside one it adds no savepoint.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            _count_sql(),
            [
                f"{limit.name}:{key}"[:120],
                as_db(window_start),
                as_db(expires_at),
            ],
        )
        (hits,) = cursor.fetchone()
    if hits == 1:
        # The first hit of a window sweeps finished windows, in a statement of its own
        # after the counting transaction commits, so it never holds a counter row while
        # it waits.
        transaction.on_commit(lambda: _sweep(now), robust=True)
    if hits == limit.hits + 1:
        logger.warning("rate limit %s reached for %s", limit.name, key)
    return hits > limit.hits
