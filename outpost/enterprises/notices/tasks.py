"""The scheduled escalation of unconfirmed notices (django-tasks; the scheduler enqueues it
every five minutes with the moment it runs for)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from outpost.enterprises.notices.services import notices_escalate


def _moment(now: str | None) -> datetime.datetime:
    if now is None:
        return timezone.now()
    moment = datetime.datetime.fromisoformat(now)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@task()
def notices_escalate_task(*, now: str | None = None) -> int:
    return len(notices_escalate(now=_moment(now)))
