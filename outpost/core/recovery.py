"""Work interrupted by a worker that stopped (中断的后台任务).

When the embedded server starts, no worker can be running: any task the database still
calls "running" died with the previous process. Its job (an import, a feed being read, a
screening run, a dispatch order being read) is marked failed with a message that says to
start it again, instead of showing "running" for ever. Never call this while workers of a
multi-machine deployment are running: it cannot tell a dead task from a live one.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from outpost.core.choices import ImportStatus
from outpost.core.imports.services import import_job_fail
from outpost.core.models import ImportJob
from outpost.dispatch.choices import OrderStatus
from outpost.dispatch.models import DispatchOrder
from outpost.dispatch.services import order_fail
from outpost.screening.choices import FeedStatus, RunStatus
from outpost.screening.models import Feed, ScreeningRun
from outpost.screening.services.feeds import feed_fail
from outpost.screening.services.runs import screening_run_fail


def interrupted_work_fail() -> dict[str, int]:
    """Mark every running task and the jobs it was doing failed; returns counts by kind."""
    message = _(
        "The background worker stopped while this was running (Outpost was restarted or "
        "the machine went down). Nothing half-done was kept: start it again."
    )
    now = timezone.now()
    counts = {
        "tasks": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED, finished_at=now
        )
    }
    jobs = list(
        ImportJob.objects.filter(status__in=[ImportStatus.VALIDATING, ImportStatus.IMPORTING])
    )
    for job in jobs:
        import_job_fail(job=job, message=message)
    counts["imports"] = len(jobs)
    feeds = list(Feed.objects.filter(status=FeedStatus.PARSING))
    for feed in feeds:
        feed_fail(feed=feed, message=message)
    counts["feeds"] = len(feeds)
    runs = list(ScreeningRun.objects.filter(status=RunStatus.RUNNING))
    for run in runs:
        screening_run_fail(run=run, message=message)
    counts["screening_runs"] = len(runs)
    orders = list(DispatchOrder.objects.filter(status=OrderStatus.READING))
    for order in orders:
        order_fail(order=order, message=message)
    counts["dispatch_orders"] = len(orders)
    return counts
