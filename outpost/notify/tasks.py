"""Background work of notify (django-tasks, `outpost db_worker`): delivering outbound
messages, once each, with retries at their moment; the minute's sweep of messages whose
worker died or whose task was lost (see delivery.py)."""

from __future__ import annotations

import datetime

from django_tasks import task

from outpost.notify.delivery import outbound_deliver, outbound_sweep


def enqueue_delivery(message_id: int, at: datetime.datetime | None = None) -> None:
    """Enqueue the delivery of one message, now or to run at `at` (a retry)."""
    if at is None:
        outbound_deliver_task.enqueue(message_id=message_id)
    else:
        outbound_deliver_task.using(run_after=at).enqueue(message_id=message_id)


@task()
def outbound_deliver_task(*, message_id: int) -> str:
    message = outbound_deliver(message_id=message_id, enqueue=enqueue_delivery)
    return message.status if message is not None else "missing"


@task()
def outbound_sweep_task(*, now: str) -> dict:
    return outbound_sweep(now=datetime.datetime.fromisoformat(now), enqueue=enqueue_delivery)
