"""Writes of an import job (数据导入) made in a request, one function per step (STYLE rule 4).

upload (`import_job_create`, which queues the reading of the file) → columns
(`import_job_set_mapping`; another sheet: `import_job_start_inspection`) → check every row
(`import_job_start_validation`) → import (`import_job_start_commit`). The steps that open
the file (`outpost.core.imports.steps`) run as background tasks (`outpost.core.tasks`);
the CLI calls them directly.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from outpost.core.choices import ImportStatus
from outpost.core.imports.mapping import remember_mapping
from outpost.core.imports.steps import EDITABLE, check_may_import, importer_class
from outpost.core.imports.uploads import upload_kept, upload_name, upload_size_check
from outpost.core.imports.workbook import MAX_FILE_BYTES
from outpost.core.models import ImportJob, Unit
from outpost.core.tasks import (
    import_job_commit_task,
    import_job_inspect_task,
    import_job_validate_task,
)

logger = logging.getLogger("outpost.imports")


def _reset_results(job: ImportJob) -> None:
    job.progress = 0
    job.total_rows = job.valid_rows = job.error_count = 0
    job.created_count = job.updated_count = job.unchanged_count = 0
    job.first_errors = []
    job.failure = ""
    job.finished_at = None
    if job.error_report:
        job.error_report.delete(save=False)


def import_job_create(
    *,
    acting_user,
    kind: str,
    unit: Unit,
    file,
    original_name: str = "",
    language: str = "",
    queue: bool = True,
) -> ImportJob:
    """Store an uploaded file and queue its reading (`import_job_inspect`, by the worker;
    the CLI passes ``queue=False`` and reads it itself).

    Nothing in the request opens the file: only its size is checked here. Whatever the
    file turns out to be, the worker reads it with bounded work and memory, and a file that
    cannot be read fails the job with the reason, shown on the job's page.
    """
    importer = importer_class(kind)
    check_may_import(acting_user, importer, unit)
    original_name = upload_name(file, original_name, default="import")
    upload_size_check(file, max_bytes=MAX_FILE_BYTES)
    job = ImportJob(
        kind=kind,
        unit=unit,
        created_by=acting_user,
        original_name=original_name,
        status=ImportStatus.READING,
    )
    with upload_kept(job, file, original_name), transaction.atomic():
        job.save()
    logger.info("import %s created by %s: %s", job.pk, acting_user, kind)
    if queue:
        job = import_job_start_inspection(acting_user=acting_user, job=job, language=language)
    return job


def import_job_start_inspection(
    *, acting_user, job: ImportJob, sheet_name: str = "", language: str = ""
) -> ImportJob:
    """Queue the reading of the file (of another of its sheets, with ``sheet_name``): its
    header and a fresh guess of the mapping."""

    importer = importer_class(job.kind)
    check_may_import(acting_user, importer, job.unit)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.READING:
            _check_editable(job)
            if sheet_name and sheet_name not in job.sheets:
                raise ValidationError(
                    {"sheet": _("The file has no sheet “%(sheet)s”.") % {"sheet": sheet_name}}
                )
            _reset_results(job)
            job.status = ImportStatus.READING
            job.save()
    # Enqueued once the job's new status is committed, so the worker finds it in that state.
    import_job_inspect_task.enqueue(
        job_id=job.pk, user_id=acting_user.pk, language=language, sheet_name=sheet_name
    )
    job.refresh_from_db()
    return job


def _check_editable(job: ImportJob) -> None:
    if job.status not in EDITABLE:
        raise ValidationError(_("This import is running or finished; its columns cannot change."))


def sheet_names(job: ImportJob) -> list[str]:
    """The workbook's sheets, for the mapping screen (as the worker found them)."""
    return list(job.sheets) or ([job.sheet_name] if job.sheet_name else [])


@transaction.atomic
def import_job_set_mapping(
    *, acting_user, job: ImportJob, mapping: dict[str, str], remember: bool = True
) -> ImportJob:
    """Confirm which file column holds which field; remember the choices for next time."""
    importer = importer_class(job.kind)
    check_may_import(acting_user, importer, job.unit)
    _check_editable(job)
    known = set(importer.field_names())
    cleaned: dict[str, str] = {}
    problems = []
    for index, name in mapping.items():
        if not name:
            continue
        if name not in known or not str(index).isdigit() or int(index) >= len(job.headers):
            problems.append(_("Unknown column or field."))
            continue
        if name in cleaned.values():
            label = importer.get_field(name).label
            problems.append(_("“%(field)s” is chosen for more than one column.") % {"field": label})
        cleaned[str(int(index))] = name
    problems += importer.check_mapping(cleaned.values())
    if problems:
        raise ValidationError(problems)
    job.mapping = cleaned
    job.save(update_fields=["mapping"])
    if remember:
        remember_mapping(job.kind, job.headers, cleaned)
    return job


def _enqueue(task, job: ImportJob, acting_user, language: str) -> None:
    # Enqueued once the job's new status is committed, so the worker finds it in that state.
    task.enqueue(job_id=job.pk, user_id=acting_user.pk, language=language)


def import_job_start_validation(*, acting_user, job: ImportJob, language: str = "") -> ImportJob:
    """Queue the check of every row (the preview)."""

    importer = importer_class(job.kind)
    check_may_import(acting_user, importer, job.unit)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        _check_editable(job)
        problems = importer.check_mapping(job.mapping.values())
        if problems:
            raise ValidationError(problems)
        _reset_results(job)
        job.status = ImportStatus.VALIDATING
        job.save()
    _enqueue(import_job_validate_task, job, acting_user, language)
    job.refresh_from_db()
    return job


def import_job_start_commit(
    *, acting_user, job: ImportJob, skip_bad_rows: bool, language: str = ""
) -> ImportJob:
    """Queue the import of a checked file."""

    importer = importer_class(job.kind)
    check_may_import(acting_user, importer, job.unit)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.VALIDATED:
            raise ValidationError(_("This import is not checked and ready to import."))
        if job.error_count and not skip_bad_rows:
            raise ValidationError(
                _("Some rows have errors: correct the file, or choose to skip the bad rows.")
            )
        job.skip_bad_rows = skip_bad_rows
        job.status = ImportStatus.IMPORTING
        job.progress = 0
        job.failure = ""
        job.save(update_fields=["skip_bad_rows", "status", "progress", "failure"])
    _enqueue(import_job_commit_task, job, acting_user, language)
    job.refresh_from_db()
    return job
