"""Background work of the briefing: the day close (snapshots, from the scheduler). The
daily report is an export like any other (`exports.DailyReportExport`)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from outpost.briefing import services


@task()
def snapshots_take_task(*, now: str = "") -> dict:
    """Freeze every unit's figures for the day before `now`'s local date (ISO; the
    scheduler passes the scheduled time, just after midnight), as of `now`."""
    moment = datetime.datetime.fromisoformat(now) if now else timezone.now()
    day = timezone.localdate(moment) - datetime.timedelta(days=1)
    written = services.snapshots_take(day=day, now=moment)
    return {"day": day.isoformat(), "snapshots": written}
