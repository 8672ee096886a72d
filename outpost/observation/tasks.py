"""Scheduled work of observation (django-tasks, run by `outpost db_worker`; the scheduler
enqueues them). Each takes the moment it runs for as an ISO string, so the scheduler (or a
test's controlled clock) decides what "now" is; without it, the worker's clock."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from outpost.observation.services import alerts, episodes, reports


def _moment(now: str | None) -> datetime.datetime:
    if now is None:
        return timezone.now()
    moment = datetime.datetime.fromisoformat(now)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@task()
def missed_check_ins_sweep_task(*, now: str | None = None) -> int:
    return len(alerts.missed_check_ins_sweep(now=_moment(now)))


@task()
def reminders_send_task(*, now: str | None = None) -> int:
    return alerts.reminders_send(now=_moment(now))


@task()
def alerts_escalate_task(*, now: str | None = None) -> int:
    return len(alerts.alerts_escalate(now=_moment(now)))


@task()
def episodes_release_due_task(*, now: str | None = None) -> int:
    return len(episodes.episodes_release_due_mark(now=_moment(now)))


@task()
def site_days_close_task(*, now: str | None = None) -> int:
    return len(reports.site_days_close(now=_moment(now)))
