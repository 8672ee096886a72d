"""Rate limits for public pages (限流), counted in the database.

Django's cache is per process unless a shared cache server is configured, and its
database backend's ``incr`` is a read then a write that loses counts under concurrency.
A counter row per key and fixed window, bumped with one ``UPDATE … SET hits = hits + 1``,
is exact on SQLite and PostgreSQL with any number of processes: the row lock (the write
lock on SQLite) orders concurrent hits on one key, and the count read back in the same
transaction is this request's own. Called inside a larger transaction (a self-report counts
in the transaction that stores it), it is a savepoint of that one: one write, not two.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
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


def rate_limit_hit(*, limit: RateLimit, key: str, now: datetime.datetime | None = None) -> bool:
    """Count one request of `key` against `limit`; True when it is over the limit (refuse
    it). Refused requests count too, so hammering does not reopen the window early."""
    now = now or timezone.now()
    epoch = int(now.timestamp())
    window_start = datetime.datetime.fromtimestamp(epoch - epoch % limit.seconds, tz=datetime.UTC)
    full_key = f"{limit.name}:{key}"[:120]
    # No savepoint of its own inside a larger transaction: an error here undoes that too.
    with transaction.atomic(savepoint=False):
        rows = RateCounter.objects.filter(key=full_key, window_start=window_start)
        created = False
        if not rows.update(hits=F("hits") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(
                        key=full_key,
                        window_start=window_start,
                        hits=1,
                        expires_at=window_start + datetime.timedelta(seconds=limit.seconds),
                    )
                    created = True
            except IntegrityError:  # another process opened the window first
                rows.update(hits=F("hits") + 1)
        hits = rows.values_list("hits", flat=True).get()
    if created:
        # Sweep finished windows in a statement of its own, outside the counting
        # transaction (after it commits, when the count is part of a larger one), so it
        # never holds a counter row while it waits.
        transaction.on_commit(lambda: _sweep(now), robust=True)
    if hits == limit.hits + 1:
        logger.warning("rate limit %s reached for %s", limit.name, key)
    return hits > limit.hits
