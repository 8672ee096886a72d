"""Background jobs that belong to one user (an export's status and file): looked up by the
task result's id, and only by the user who asked — anyone else, or a bad id, gets a 404."""

import datetime
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from django_tasks_db.models import DBTaskResult

EXPORT_DIR = "exports"  # under MEDIA_ROOT; each export file is named by its task's id
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def owned_task_result(task: Task, *, user, result_id) -> TaskResult:
    """The result `result_id` of `task` if `user` enqueued it (its ``user_id`` argument)."""
    try:
        result = task.get_result(str(result_id))
    except (TaskResultDoesNotExist, TaskResultMismatch, ValueError) as exc:
        raise Http404 from exc
    if not getattr(user, "is_authenticated", False) or result.kwargs.get("user_id") != user.pk:
        raise Http404
    return result


def exports_prune(*, tasks: list[Task], older_than: datetime.datetime) -> int:
    """Delete the export files of `tasks` finished before `older_than`, and their task
    records: an export's purpose ends once it has been downloaded, and a file of personal
    data left on disk is a leak waiting to happen. Returns how many exports were removed."""
    finished = DBTaskResult.objects.finished().filter(
        task_path__in=[task.module_path for task in tasks], finished_at__lt=older_than
    )
    directory = Path(settings.MEDIA_ROOT) / EXPORT_DIR
    removed = 0
    for export_id in finished.values_list("id", flat=True):
        for path in directory.glob(f"*{export_id}.*"):  # xlsx, pdf
            path.unlink(missing_ok=True)
        removed += 1
    finished.delete()
    return removed


def finished_export_response(result: TaskResult, *, path: Path, content_type: str = XLSX):
    """The file an export task wrote, as a download under the name the task chose; 404
    while the task has not finished or once the file has been pruned. The caller has
    checked the result is the user's own and its records still in their scope."""
    if result.status != TaskResultStatus.SUCCESSFUL or not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=result.return_value["filename"],
        content_type=content_type,
    )
