"""Arrival feeds (比对数据源): upload, keep the raw file, store every row."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from outpost.core.imports.readers import MAX_FILE_BYTES, ImportFileError
from outpost.core.imports.services import job_file_path
from outpost.core.models import Unit
from outpost.core.scoping import assert_in_scope
from outpost.screening.choices import FeedStatus
from outpost.screening.imports import feed_open, feed_parse
from outpost.screening.models import (
    Feed,
    FeedRow,
)

BATCH_SIZE = 2000


def feed_upload(
    *, acting_user, unit: Unit, source_type: str, file, original_name: str = ""
) -> Feed:
    """Keep an uploaded feed file and store every row of it, bad rows with their problems.

    A file that cannot be read at all (empty, not a table, no known column, no data row)
    is refused with the reason, and nothing is kept.
    """
    if not acting_user.has_perm("screening.add_feed"):
        raise PermissionDenied(_("Your role may not upload feeds."))
    if not Unit.objects.visible_to(acting_user).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("The feed's unit is outside your jurisdiction."))
    original_name = (original_name or getattr(file, "name", "") or "feed")[:255]
    size = getattr(file, "size", None)
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size is not None and size > MAX_FILE_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(limit)d MB; split it into smaller files.")
                % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
            }
        )
    feed = Feed(
        unit=unit,
        source_type=source_type,
        original_name=original_name,
        uploaded_by=acting_user,
        status=FeedStatus.PARSED,
    )
    suffix = Path(original_name).suffix.lower()[:8]
    feed.file.save(f"{secrets.token_hex(8)}{suffix}", file, save=False)
    try:
        with transaction.atomic():
            _parse_into(feed, acting_user=acting_user)
    except ImportFileError as exc:
        feed.file.delete(save=False)
        raise ValidationError({"file": str(exc)}) from None
    except BaseException:
        feed.file.delete(save=False)
        raise
    return feed


def _parse_into(feed: Feed, *, acting_user) -> None:
    # The same local-path helper as import jobs (a copy when the storage has no paths).
    with job_file_path(feed) as path:
        _parse_file(feed, path, acting_user=acting_user)


def _parse_file(feed: Feed, path: Path, *, acting_user) -> None:
    reading = feed_open(path, unit=feed.unit, acting_user=acting_user)
    feed.mapping = reading.mapping
    feed._history_user = acting_user
    feed.save()
    total = errors = 0
    batch: list[FeedRow] = []
    for parsed in feed_parse(reading):
        total += 1
        errors += bool(parsed.parse_errors)
        batch.append(
            FeedRow(
                feed=feed,
                row_number=parsed.row_number,
                name=parsed.name,
                id_number=parsed.id_number,
                phone=parsed.phone,
                origin=parsed.origin,
                origin_region_code=parsed.origin_region_code,
                arrival_date=parsed.arrival_date,
                train_or_flight=parsed.train_or_flight,
                seat=parsed.seat,
                parse_errors=parsed.parse_errors,
            )
        )
        if len(batch) >= BATCH_SIZE:
            FeedRow.objects.bulk_create(batch)
            batch = []
    FeedRow.objects.bulk_create(batch)
    if total == 0:
        raise ImportFileError(
            _("No data rows below the header (row %(row)d).") % {"row": reading.header_row}
        )
    feed.total_rows = total
    feed.error_rows = errors
    feed.status = FeedStatus.PARSED_WITH_ERRORS if errors else FeedStatus.PARSED
    feed.save(update_fields=["total_rows", "error_rows", "status"])
    assert_in_scope(feed, acting_user, "view")
