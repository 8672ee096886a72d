"""Background work of core (django-tasks on the database queue; `outpost db_worker`).

The steps of a spreadsheet import that open the file run here: reading it (sheets,
header, mapping), checking every row (the preview) and writing them. Each updates its ImportJob's status and progress as it goes, which the
job's page polls. The daily prune (`outpost prune`) runs here too, from the scheduler.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskContext, task

from outpost.core.database import planner_statistics_refresh
from outpost.core.exports.tasks import exports_prune
from outpost.core.imports import steps
from outpost.core.imports.steps import import_files_prune
from outpost.core.models import ImportJob
from outpost.core.retention.services import retention_purge
from outpost.core.scheduler import scheduled_runs_prune
from outpost.core.scoping import get_visible

logger = logging.getLogger("outpost.imports")


def _job_and_user(job_id: int, user_id: int):
    user = get_user_model().objects.get(pk=user_id)
    return get_visible(ImportJob, user, job_id), user


def _unexpected(job: ImportJob) -> None:
    logger.exception("import %s failed", job.pk)
    steps.import_job_fail(
        job=job,
        message=_(
            "The import stopped because of an unexpected error; nothing was written. The "
            "administrator can find the details in the log."
        ),
    )


def _run_step(step, *, job_id: int, user_id: int, language: str):
    """Run one step of an import (a service taking `acting_user` and `job`) in the user's
    language; an unexpected error fails the job before it propagates."""
    job, user = _job_and_user(job_id, user_id)
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            return step(acting_user=user, job=job)
        except Exception:
            _unexpected(job)
            raise


@task()
def import_job_inspect_task(
    *, job_id: int, user_id: int, language: str = "", sheet_name: str = ""
) -> dict:
    """Read an uploaded file: its sheets, header and a guess of the column mapping."""
    job = _run_step(
        lambda **kw: steps.import_job_inspect(**kw, sheet_name=sheet_name),
        job_id=job_id,
        user_id=user_id,
        language=language,
    )
    return {"status": job.status}


@task()
def import_job_validate_task(*, job_id: int, user_id: int, language: str = "") -> dict:
    """Check every row of an import and record the preview."""
    validation = _run_step(
        steps.import_job_validate, job_id=job_id, user_id=user_id, language=language
    )
    if validation is None:
        return {"status": "failed"}
    return {"rows": validation.total_rows, "errors": len(validation.errors)}


@task()
def import_job_commit_task(*, job_id: int, user_id: int, language: str = "") -> dict:
    """Check an import again and write it in one transaction."""
    counts = _run_step(steps.import_job_commit, job_id=job_id, user_id=user_id, language=language)
    if counts is None:
        return {"status": "not imported"}
    return {"created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged}


def files_prune(
    *, now: datetime.datetime, export_days: int = 7, import_days: int = 30
) -> tuple[int, int]:
    """Delete finished exports older than `export_days` and the files of imports ended
    more than `import_days` ago; returns how many of each."""
    exports = exports_prune(older_than=now - datetime.timedelta(days=export_days))
    imports = import_files_prune(older_than=now - datetime.timedelta(days=import_days))
    return exports, imports


@task()
def prune_task(*, now: str = "") -> dict:
    """The daily prune, as of `now` (ISO; the scheduler passes the scheduled time)."""
    moment = datetime.datetime.fromisoformat(now) if now else timezone.now()
    exports, imports = files_prune(now=moment)
    runs = scheduled_runs_prune(older_than=moment - datetime.timedelta(days=7))
    return {"exports": exports, "imports": imports, "scheduled_runs": runs}


@task()
def planner_statistics_task(*, now: str = "") -> dict:
    """The hourly refresh of the query planner's statistics (imports change the tables)."""
    planner_statistics_refresh()
    return {"analyzed": True}


@task(takes_context=True)
def retention_purge_task(context: TaskContext, *, now: str = "") -> dict:
    """The nightly purge (保存期限到期清除), as of `now` (ISO; the scheduler passes the
    scheduled time): due records deleted or anonymised in batches, then the certificate."""
    moment = datetime.datetime.fromisoformat(now) if now else timezone.now()
    summary = retention_purge(now=moment, task_run=str(context.task_result.id))
    return {
        "certificate": summary.certificate.sequence,
        "purged": {key: entry["count"] for key, entry in summary.counts.items()},
        "held": {key: entry["count"] for key, entry in summary.held.items()},
        "hash": summary.certificate.record_hash,
    }
