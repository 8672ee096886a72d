"""Scheduled work of public order (django-tasks; the scheduler enqueues it)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from outpost.publicorder.services import patrols_sweep


@task()
def patrols_sweep_task(*, now: str | None = None) -> dict:
    """Just after midnight (China time): yesterday's patrols still under way are ended and
    routes nobody patrolled yesterday get a skipped patrol."""
    moment = timezone.now() if now is None else datetime.datetime.fromisoformat(now)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    yesterday = timezone.localdate(moment) - datetime.timedelta(days=1)
    return patrols_sweep(day=yesterday, now=moment)
