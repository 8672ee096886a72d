"""Writes of the briefing: taking the daily snapshots (the daily report is an export:
`exports.DailyReportExport`)."""

import datetime

from django.db import transaction
from django.utils import timezone

from outpost.briefing.figures import subtree_figures
from outpost.briefing.models import DailySnapshot
from outpost.core.models import Unit


@transaction.atomic
def snapshots_take(*, day: datetime.date, now: datetime.datetime | None = None) -> int:
    """Freeze the figures of every unit for `day`; a day already frozen is left as it was
    (a closed day never changes). Returns how many snapshots were written."""
    now = now or timezone.now()
    done = set(DailySnapshot.objects.filter(day=day).values_list("unit_id", flat=True))
    written = 0
    for root in Unit.objects.filter(parent__isnull=True):
        figures = subtree_figures(root=root, day=day, now=now)
        rows = [
            DailySnapshot(unit_id=unit_id, day=day, figures=values, taken_at=now)
            for unit_id, values in figures.items()
            if unit_id not in done
        ]
        DailySnapshot.objects.bulk_create(rows, batch_size=500)
        written += len(rows)
    return written
