"""Writes of the briefing: taking the daily snapshots (the daily report is an export:
`exports.DailyReportExport`)."""

import datetime

from django.db import transaction
from django.utils import timezone

from outpost.briefing.figures import subtree_rows
from outpost.briefing.models import DailySnapshot, pk_runs
from outpost.briefing.reports import day_moment
from outpost.core.models import Unit


@transaction.atomic
def snapshots_take(*, day: datetime.date, now: datetime.datetime | None = None) -> int:
    """Freeze the figures of every unit for `day`, each with the rows it counts (its count
    is the number of those rows), states as of the day's close (or `now`, if earlier); a
    day already frozen is left as it was (a closed day never changes). Returns how many
    snapshots were written."""
    now = now or timezone.now()
    moment = day_moment(day, now)
    done = set(DailySnapshot.objects.filter(day=day).values_list("unit_id", flat=True))
    written = 0
    for root in Unit.objects.filter(parent__isnull=True):
        snapshots = [
            DailySnapshot(
                unit_id=unit_id,
                day=day,
                figures={key: len(pks) for key, pks in rows.items()},
                rows={key: pk_runs(pks) for key, pks in rows.items()},
                taken_at=now,
            )
            for unit_id, rows in subtree_rows(root=root, day=day, now=moment).items()
            if unit_id not in done
        ]
        DailySnapshot.objects.bulk_create(snapshots, batch_size=100)
        written += len(snapshots)
    return written
