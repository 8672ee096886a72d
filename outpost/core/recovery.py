"""Work interrupted by a worker that died (中断的后台任务): the registry of recovery handlers.

A task the database still calls "running" after its worker died (`outpost.core.workers`
finds those) is failed, and the job it was doing (an import, a feed being read, a
screening run, a dispatch order being read) must say so instead of "running 32%" for ever.
Core does not know those jobs: each app registers, in its ``AppConfig.ready()``, one
handler per task path, the way importers are registered (`register_importer`). A handler
gets the keyword arguments the task was enqueued with (they name the job) and marks the
job interrupted, returning whether it changed anything; it runs in the transaction that
fails the task, so both happen or neither. Handlers are given as dotted paths and
imported only when a worker has died, so registering them loads no app's services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

logger = logging.getLogger("outpost.workers")

# handler(task_kwargs=...) -> True when it marked a job interrupted.
RecoveryHandler = Callable[..., bool]

_HANDLERS: dict[str, str] = {}


def register_recovery_handler(task_path: str, handler: str) -> None:
    """Make the function at dotted path `handler` recover the jobs of the task at
    `task_path` (its dotted path, as django-tasks stores it) when its worker dies. Call
    from ``AppConfig.ready()``."""
    _HANDLERS[task_path] = handler


def recovery_handlers() -> dict[str, str]:
    """task path → handler path, of every app."""
    return dict(_HANDLERS)


def interrupted_message() -> str:
    """What a job interrupted by a dead worker says, unless its app says more."""
    return _(
        "The background worker stopped while this was running (Outpost was restarted or "
        "the machine went down). Nothing half-done was kept: start it again."
    )


def interrupted_task_recover(*, task_path: str, task_kwargs: Mapping[str, Any]) -> str | None:
    """Mark the job of one interrupted task, through its app's handler; returns the task
    path when a job was marked, None when no handler knows the task or nothing was left
    to mark (the job had finished)."""
    handler_path = _HANDLERS.get(task_path)
    if handler_path is None:
        return None
    handler: RecoveryHandler = import_string(handler_path)
    return task_path if handler(task_kwargs=dict(task_kwargs)) else None
