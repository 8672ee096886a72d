"""Background jobs that belong to one user (an export's status and file): looked up by the
task result's id, and only by the user who asked — anyone else, or a bad id, gets a 404."""

from django.http import Http404
from django_tasks import TaskResult
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch


def owned_task_result(task: Task, *, user, result_id) -> TaskResult:
    """The result `result_id` of `task` if `user` enqueued it (its ``user_id`` argument)."""
    try:
        result = task.get_result(str(result_id))
    except (TaskResultDoesNotExist, TaskResultMismatch, ValueError) as exc:
        raise Http404 from exc
    if not getattr(user, "is_authenticated", False) or result.kwargs.get("user_id") != user.pk:
        raise Http404
    return result
