"""Background work of the key-persons module: the contact ledger export (工作台账导出).

Like the registry's ledgers: the view enqueues `contact_ledger_export_task` and sends the
user to the export's status page; the task result is the export's only record (its id
names the file under ``MEDIA_ROOT/exports/``, its arguments say who asked, its return
value gives the file and the row count). Only the user who asked may see or download it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django_tasks import TaskContext, TaskResult, task

from outpost.core.owned_tasks import owned_task_result
from outpost.keypersons import services


@task(takes_context=True)
def contact_ledger_export_task(
    context: TaskContext,
    *,
    user_id: int,
    unit_id: int,
    since: str,
    until: str,
    reason: str = "",
    language: str = settings.LANGUAGE_CODE,
    ip_address: str | None = None,
) -> dict:
    """Write one contact ledger for the user who asked, in the language they asked in."""
    user = get_user_model().objects.get(pk=user_id)
    with translation.override(language):
        ledger = services.contact_ledger_export(
            acting_user=user,
            export_id=context.task_result.id,
            unit_id=unit_id,
            since=datetime.date.fromisoformat(since),
            until=datetime.date.fromisoformat(until),
            reason=reason,
            ip_address=ip_address,
        )
    return {"file": ledger.name, "filename": ledger.filename, "rows": ledger.rows}


def contact_ledger_export_result(*, user, export_id) -> TaskResult:
    """The export `export_id` if `user` asked for it; anyone else's, or none, is a 404."""
    return owned_task_result(contact_ledger_export_task, user=user, result_id=export_id)
