"""Background work of dispatch orders (django-tasks on the database queue).

`order_upload` queues `order_process_task` (read, match, route, notify); the order page
polls its progress. The feedback workbook is written by `feedback_export_task`; as with the
registry's ledgers, the task result is the export's only record and only the user who
asked may see or download it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import TaskContext, TaskResult, TaskResultStatus, task

from outpost.core.owned_tasks import owned_task_result
from outpost.core.scoping import get_visible
from outpost.dispatch import services
from outpost.dispatch.models import DispatchOrder


@task()
def order_process_task(*, order_id: int, user_id: int, language: str = "") -> dict:
    """Read, match and route the items of an uploaded order."""
    user = get_user_model().objects.get(pk=user_id)
    order = get_visible(DispatchOrder, user, order_id)
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            order = services.order_process(acting_user=user, order=order)
        except Exception:
            services.logger.exception("order %s could not be processed", order.pk)
            services.order_fail(
                order=order,
                acting_user=user,
                message=_(
                    "Reading the order stopped because of an unexpected error; no item was "
                    "kept. The administrator can find the details in the log."
                ),
            )
            raise
    return {"status": order.status, "items": order.total_items}


@task(takes_context=True)
def feedback_export_task(
    context: TaskContext,
    *,
    user_id: int,
    order_id: int,
    reason: str = "",
    language: str = settings.LANGUAGE_CODE,
    ip_address: str | None = None,
) -> dict:
    user = get_user_model().objects.get(pk=user_id)
    with translation.override(language):
        feedback = services.feedback_export(
            acting_user=user,
            export_id=context.task_result.id,
            order_id=order_id,
            reason=reason,
            ip_address=ip_address,
        )
    return {"file": feedback.name, "filename": feedback.filename, "rows": feedback.rows}


def feedback_export_result(*, user, export_id) -> TaskResult:
    """The export `export_id` if `user` asked for it; anyone else's, or none, is a 404."""
    return owned_task_result(feedback_export_task, user=user, result_id=export_id)


@dataclass(frozen=True)
class FeedbackExportSummary:
    id: str
    order_id: int
    status: str
    enqueued_at: datetime.datetime | None
    rows: int | None

    @property
    def done(self) -> bool:
        return self.status == TaskResultStatus.SUCCESSFUL

    @property
    def failed(self) -> bool:
        return self.status == TaskResultStatus.FAILED

    @property
    def finished(self) -> bool:
        return self.done or self.failed


def feedback_export_summary(result: TaskResult) -> FeedbackExportSummary:
    done = result.status == TaskResultStatus.SUCCESSFUL
    return FeedbackExportSummary(
        id=str(result.id),
        order_id=result.kwargs["order_id"],
        status=result.status,
        enqueued_at=result.enqueued_at,
        rows=result.return_value["rows"] if done else None,
    )
