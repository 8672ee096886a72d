"""Background work of the briefing: the day close (snapshots, from the scheduler) and the
daily report export.

Like the other exports: the view enqueues `daily_report_export_task` and sends the user
to the export's status page; the task result is the export's only record (its id names
the file under ``MEDIA_ROOT/exports/``, its arguments say who asked, its return value
gives the file and the row count). Only the user who asked may see or download it.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django_tasks import TaskContext, TaskResult, task

from outpost.briefing import services
from outpost.core.owned_tasks import EXPORT_DIR, owned_task_result


@task()
def snapshots_take_task(*, now: str = "") -> dict:
    """Freeze every unit's figures for the day before `now`'s local date (ISO; the
    scheduler passes the scheduled time, just after midnight), as of `now`."""
    moment = datetime.datetime.fromisoformat(now) if now else timezone.now()
    day = timezone.localdate(moment) - datetime.timedelta(days=1)
    written = services.snapshots_take(day=day, now=moment)
    return {"day": day.isoformat(), "snapshots": written}


def report_export_path(export_id: str, file_format: str) -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORT_DIR / f"{export_id}.{file_format}"


@task(takes_context=True)
def daily_report_export_task(
    context: TaskContext,
    *,
    user_id: int,
    unit_id: int,
    day: str,
    file_format: str,
    reason: str = "",
    language: str = settings.LANGUAGE_CODE,
    ip_address: str | None = None,
) -> dict:
    """Write one daily report for the user who asked, in the language they asked in."""
    user = get_user_model().objects.get(pk=user_id)
    export_id = str(context.task_result.id)
    with translation.override(language):
        report = services.daily_report_export(
            acting_user=user,
            unit_id=unit_id,
            day=datetime.date.fromisoformat(day),
            file_format=file_format,
            path=report_export_path(export_id, file_format),
            reason=reason,
            ip_address=ip_address,
        )
    return {
        "file": f"{EXPORT_DIR}/{report.path.name}",
        "filename": report.filename,
        "rows": report.rows,
    }


def daily_report_export_result(*, user, export_id) -> TaskResult:
    """The export `export_id` if `user` asked for it; anyone else's, or none, is a 404."""
    return owned_task_result(daily_report_export_task, user=user, result_id=export_id)
