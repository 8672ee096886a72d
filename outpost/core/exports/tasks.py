"""The one background task of every export, and what pages show of one.

A page enqueues `export_task` and sends the user to the export's status page; the task
result is the export's only record: its id names the file in the storage, its arguments
say what was asked and who asked (only that user may see or download it), its return
value gives the file, its download name and the row count.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import TaskContext, TaskResult, TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from django_tasks_db.models import DBTaskResult

from outpost.core.choices import AccessPurpose
from outpost.core.exports.base import (
    EXPORT_DIR,
    ExportDefinition,
    export_check,
    export_store,
    get_export,
)
from outpost.core.messaging import NOTICE_EXPORT, staff_notice_send


@task(takes_context=True)
def export_task(
    context: TaskContext,
    *,
    export_name: str,
    params: dict,
    user_id: int,
    unmasked: bool = False,
    purpose: str = "",
    reason: str = "",
    language: str = settings.LANGUAGE_CODE,
    ip_address: str | None = None,
) -> dict:
    """Write one export for the user who asked, in the language they asked in; then tell
    them in their inbox that it is ready."""
    user = get_user_model().objects.get(pk=user_id)
    definition = get_export(export_name)
    with translation.override(language or settings.LANGUAGE_CODE):
        stored = export_store(
            definition=definition,
            export_id=context.task_result.id,
            params=params,
            acting_user=user,
            unmasked=unmasked,
            purpose=purpose,
            reason=reason,
            ip_address=ip_address,
        )
    _tell_export_ready(user, definition, context.task_result.id, stored.rows)
    return {"file": stored.name, "filename": stored.filename, "rows": stored.rows}


def _tell_export_ready(user, definition: ExportDefinition, export_id: str, rows: int) -> None:
    def compose() -> tuple[str, str]:
        subject = _("Your export is ready: %(name)s") % {"name": definition.label}
        body = ngettext(
            "%(count)d row. Download it from the export's page.",
            "%(count)d rows. Download it from the export's page.",
            rows,
        ) % {"count": rows}
        return subject, body

    staff_notice_send(
        recipients=[user],
        kind=NOTICE_EXPORT,
        compose=compose,
        url=reverse("core:export_status", args=[export_id]),
    )


def export_enqueue(
    *,
    export_name: str,
    params: dict,
    request,
    unmasked: bool = False,
    purpose: str = "",
    reason: str = "",
) -> TaskResult:
    """Queue an export asked for on a page, as its user, in the page's language, once
    `export_check` has found nothing to refuse (its 404, PermissionDenied or
    ValidationError reaches the page, and nothing is queued). The purpose and reason are
    kept with the request (the task's arguments) and go to the access log."""
    checked = export_check(
        definition=get_export(export_name),
        acting_user=request.user,
        params=params,
        unmasked=unmasked,
        purpose=purpose,
        reason=reason,
    )
    return export_task.enqueue(
        export_name=export_name,
        params=params,
        user_id=request.user.pk,
        unmasked=bool(unmasked),
        purpose=checked.purpose,
        reason=checked.reason,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        ip_address=request.META.get("REMOTE_ADDR"),
    )


def owned_export(*, user, export_id) -> tuple[TaskResult, ExportDefinition]:
    """The export `export_id` and its definition if `user` asked for it; anyone else's, a
    bad id or an export no app registers any more is a 404."""
    try:
        result = export_task.get_result(str(export_id))
    except (TaskResultDoesNotExist, TaskResultMismatch, ValueError) as exc:
        raise Http404 from exc
    if not getattr(user, "is_authenticated", False) or result.kwargs.get("user_id") != user.pk:
        raise Http404
    try:
        return result, get_export(result.kwargs["export_name"])
    except LookupError as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class ExportSummary:
    """What the status page and a list of one's exports show of an export."""

    id: str
    name: str
    label: str
    unmasked: bool
    personal: bool
    file_format: str
    status: str
    enqueued_at: datetime.datetime | None
    rows: int | None
    purpose: str = ""
    reason: str = ""

    @property
    def purpose_label(self) -> str:
        return (
            str(AccessPurpose(self.purpose).label) if self.purpose in AccessPurpose.values else ""
        )

    @property
    def done(self) -> bool:
        return self.status == TaskResultStatus.SUCCESSFUL

    @property
    def failed(self) -> bool:
        return self.status == TaskResultStatus.FAILED

    @property
    def waiting(self) -> bool:
        return self.status == TaskResultStatus.READY

    @property
    def finished(self) -> bool:
        return self.done or self.failed


def export_summary(result: TaskResult, definition: ExportDefinition) -> ExportSummary:
    kwargs = result.kwargs
    done = result.status == TaskResultStatus.SUCCESSFUL
    return ExportSummary(
        id=str(result.id),
        name=definition.name,
        label=str(definition.label),
        unmasked=definition.unmasked(kwargs.get("unmasked")),
        personal=definition.personal(),
        file_format=definition.file_format(kwargs["params"]),
        status=result.status,
        enqueued_at=result.enqueued_at,
        rows=result.return_value["rows"] if done else None,
        purpose=kwargs.get("purpose", ""),
        reason=kwargs.get("reason", ""),
    )


def exports_of(*, user, names, limit: int = 10) -> list[tuple[ExportSummary, dict]]:
    """The user's own most recent exports of the kinds `names`, newest first, each with its
    parameters (one query)."""
    found = []
    rows = DBTaskResult.objects.filter(
        task_path=export_task.module_path,
        args_kwargs__kwargs__user_id=user.pk,
        args_kwargs__kwargs__export_name__in=list(names),
    ).order_by("-enqueued_at")[:limit]
    for row in rows:
        result = row.task_result
        found.append((export_summary(result, get_export(result.kwargs["export_name"])), result))
    return found


def exports_prune(*, older_than: datetime.datetime) -> int:
    """Delete the files of exports finished before `older_than` and their task records (an
    export's purpose ends once it has been downloaded, and a file of personal data left in
    the storage is a leak waiting to happen), and every other file in the export folder
    but those of recent successful exports and of exports still queued or running since
    `older_than`: what a failed export or a worker that died may have left. Returns how
    many exports were removed."""
    results = DBTaskResult.objects.filter(task_path=export_task.module_path)
    finished = results.finished().filter(finished_at__lt=older_than)
    keep = {
        str(export_id)
        for export_id in results.filter(
            Q(status=TaskResultStatus.SUCCESSFUL, finished_at__gte=older_than)
            | Q(finished_at__isnull=True, enqueued_at__gte=older_than)
        ).values_list("id", flat=True)
    }
    try:
        _directories, files = default_storage.listdir(EXPORT_DIR)
    except FileNotFoundError:
        files = []
    for filename in files:
        if filename.split(".", 1)[0] not in keep:
            default_storage.delete(f"{EXPORT_DIR}/{filename}")
    removed, _by_model = finished.delete()
    return removed
