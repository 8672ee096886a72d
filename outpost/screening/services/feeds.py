"""Arrival feeds (比对数据源): upload, keep the raw file, store every row.

The upload (`outpost.screening.services.starts.feed_upload`) never opens the file: it keeps
it with the status "waiting to be read"; the worker (`feed_parse_task`, which calls
`feed_read`) reads every row, stores them in batches and reports its progress, so that a
feed of millions of rows never holds up a request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.crypto.cipher import encrypt
from outpost.core.imports.bulk import bulk_writes
from outpost.core.imports.readers import ImportFileError
from outpost.core.imports.steps import job_file_path
from outpost.core.recovery import interrupted_message
from outpost.core.scoping import assert_in_scope
from outpost.screening.choices import FeedStatus
from outpost.screening.imports import ParsedRow, feed_open, feed_parse
from outpost.screening.models import (
    Feed,
    FeedRow,
)

logger = logging.getLogger("outpost.screening")

BATCH_SIZE = 2000
# The feeds a screening may use: read to the end.
READ = (FeedStatus.PARSED, FeedStatus.PARSED_WITH_ERRORS)
RUNNING = (FeedStatus.QUEUED, FeedStatus.PARSING)


def _set_status(feed: Feed, acting_user, **fields) -> None:
    for name, value in fields.items():
        setattr(feed, name, value)
    save_audited(feed, acting_user=acting_user, update_fields=list(fields))


def feed_read(*, acting_user, feed: Feed) -> Feed:
    """Read every row of a queued feed and store it, bad rows with their problems.

    Rows are written in batches of BATCH_SIZE, each its own short transaction (a SQLite
    database is not locked for the whole file), and `Feed.progress` is updated as the sheet
    is read. A file that turns out unreadable fails the feed with the reason
    (`ImportFileError`, naming the row where it applies) and the rows written so far are
    deleted; any other error is left to the caller (the task fails the feed with
    `feed_fail`).
    """
    assert_in_scope(feed, acting_user, "view")
    FeedRow.objects.filter(feed=feed).delete()  # a feed read again starts afresh
    _set_status(
        feed, acting_user, status=FeedStatus.PARSING, progress=0, failure="", total_rows=0,
        error_rows=0,
    )  # fmt: skip
    try:
        with job_file_path(feed) as path:
            total, errors = _store_rows(feed, path, acting_user=acting_user)
    except ImportFileError as exc:
        feed_fail(feed=feed, message=str(exc), acting_user=acting_user)
        return feed
    _set_status(
        feed,
        acting_user,
        status=FeedStatus.PARSED_WITH_ERRORS if errors else FeedStatus.PARSED,
        progress=100,
        total_rows=total,
        error_rows=errors,
    )
    logger.info("feed %s read: %d rows, %d with problems", feed.pk, total, errors)
    return feed


def _store_rows(feed: Feed, path: Path, *, acting_user) -> tuple[int, int]:
    reading = feed_open(path, unit=feed.unit, acting_user=acting_user)
    if reading.mapping != feed.mapping:
        _set_status(feed, acting_user, mapping=reading.mapping)
    last = [0]

    def report(fraction: float) -> None:
        value = min(int(fraction * 100), 99)
        if value != last[0]:
            last[0] = value
            Feed.objects.filter(pk=feed.pk).update(progress=value)

    write = _row_writer(feed)
    total = errors = 0
    batch: list[ParsedRow] = []
    with bulk_writes():
        for parsed in feed_parse(reading, progress=report):
            total += 1
            errors += bool(parsed.parse_errors)
            batch.append(parsed)
            if len(batch) >= BATCH_SIZE:
                write(batch)
                batch = []
        write(batch)
    if total == 0:
        raise ImportFileError(
            _("No data rows below the header (row %(row)d).") % {"row": reading.header_row}
        )
    return total, errors


_ROW_FIELDS = (
    "feed", "row_number", "name", "id_number", "phone", "origin", "origin_region_code",
    "arrival_date", "train_or_flight", "seat", "parse_errors", "id_number_index", "phone_index",
)  # fmt: skip


def _row_writer(feed: Feed) -> Callable[[list[ParsedRow]], None]:
    """A function storing a batch of parsed rows in one ``executemany``, each its own
    short transaction. ``bulk_create`` prepares every value through the field API and
    built a model per row: two thirds of the time of reading a feed. The rows are already
    clean (texts cut to their fields' lengths by `FeedImporter.clean`), so only the date
    and the problems need adapting, and the ID and phone encrypting with their blind
    indexes beside them (core.crypto)."""
    meta = FeedRow._meta
    fields = [meta.get_field(name) for name in _ROW_FIELDS]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    adapt_date = connection.ops.adapt_datefield_value
    problems = meta.get_field("parse_errors")
    no_problems = problems.get_db_prep_save([], connection)
    feed_id = feed.pk
    id_index, phone_index = (meta.get_field(f).derive for f in ("id_number_index", "phone_index"))

    def write(batch: list[ParsedRow]) -> None:
        if not batch:
            return
        params = [
            (
                feed_id, r.row_number, r.name, encrypt(r.id_number), encrypt(r.phone), r.origin,
                r.origin_region_code, adapt_date(r.arrival_date), r.train_or_flight, r.seat,
                problems.get_db_prep_save(r.parse_errors, connection)
                if r.parse_errors
                else no_problems,
                id_index(r.id_number), phone_index(r.phone),
            )
            for r in batch
        ]  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, params)

    return write


def feed_fail(*, feed: Feed, message: str, acting_user=None) -> None:
    """Mark a feed failed with `message` (translated, shown on its page) and delete the
    rows read so far: a feed is stored whole or not at all."""
    FeedRow.objects.filter(feed=feed).delete()
    _set_status(
        feed, acting_user, status=FeedStatus.FAILED, failure=message, total_rows=0, error_rows=0
    )
    logger.info("feed %s failed: %s", feed.pk, message)


def feed_interrupted(*, task_kwargs: dict) -> bool:
    """Recovery handler (`outpost.core.recovery`): the worker reading the feed of
    `task_kwargs` died. The feed is failed and the rows read so far deleted; False when
    it had already been read."""
    feed = Feed.objects.filter(
        pk=task_kwargs.get("feed_id"), status__in=[FeedStatus.QUEUED, FeedStatus.PARSING]
    ).first()
    if feed is None:
        return False
    feed_fail(feed=feed, message=interrupted_message())
    return True
