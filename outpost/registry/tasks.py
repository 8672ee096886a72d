"""Background work of the registry (django-tasks on the database queue; `outpost db_worker`).

A ledger export runs here, whatever its size, so a request never waits for the rows: the
view enqueues `ledger_export_task` and sends the user to the export's status page. The
task result is the export's only record: its id names the file under
``MEDIA_ROOT/exports/``, its arguments say who asked (only that user may see or download
it) and its return value gives the file and the row count.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django_tasks import TaskContext, TaskResult, TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from outpost.core.models import Unit
from outpost.core.owned_tasks import owned_task_result
from outpost.registry import services
from outpost.registry.exports import LedgerKind


@task(takes_context=True)
def ledger_export_task(
    context: TaskContext,
    *,
    user_id: int,
    kind: str,
    unit_id: int,
    campaign_id: int | None = None,
    unmasked: bool = False,
    reason: str = "",
    language: str = settings.LANGUAGE_CODE,
    ip_address: str | None = None,
) -> dict:
    """Write one ledger for the user who asked, in the language they asked in."""
    user = get_user_model().objects.get(pk=user_id)
    with translation.override(language):
        ledger = services.ledger_export(
            acting_user=user,
            export_id=context.task_result.id,
            kind=kind,
            unit_id=unit_id,
            campaign_id=campaign_id,
            unmasked=unmasked,
            reason=reason,
            ip_address=ip_address,
        )
    return {"file": ledger.name, "filename": ledger.filename, "rows": ledger.rows}


def ledger_export_result(*, user, export_id) -> TaskResult:
    """The export `export_id` if `user` asked for it; anyone else's, or none, is a 404."""
    return owned_task_result(ledger_export_task, user=user, result_id=export_id)


@dataclass(frozen=True)
class LedgerExportSummary:
    """What the status page and the list of one's exports show of an export."""

    id: str
    kind: str
    unit: str
    unmasked: bool
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


def ledger_export_summary(*, user, result: TaskResult, unit_names: dict | None = None):
    kwargs = result.kwargs
    if unit_names is None:
        unit_names = _unit_names(user, [kwargs.get("unit_id")])
    done = result.status == TaskResultStatus.SUCCESSFUL
    return LedgerExportSummary(
        id=str(result.id),
        kind=str(LedgerKind(kwargs["kind"]).label),
        unit=unit_names.get(kwargs.get("unit_id"), ""),
        unmasked=bool(kwargs.get("unmasked")),
        status=result.status,
        enqueued_at=result.enqueued_at,
        rows=result.return_value["rows"] if done else None,
    )


def ledger_exports_of(*, user, limit: int = 10) -> list[LedgerExportSummary]:
    """The user's own most recent exports, newest first (two queries)."""
    results = [
        db_result.task_result
        for db_result in DBTaskResult.objects.filter(
            task_path=ledger_export_task.module_path, args_kwargs__kwargs__user_id=user.pk
        ).order_by("-enqueued_at")[:limit]
    ]
    names = _unit_names(user, [result.kwargs.get("unit_id") for result in results])
    return [ledger_export_summary(user=user, result=r, unit_names=names) for r in results]


def _unit_names(user, ids) -> dict[int, str]:
    return dict(Unit.objects.visible_to(user).filter(pk__in=ids).values_list("pk", "name"))
