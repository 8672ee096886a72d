"""The steps of an import job (数据导入) that open its file: read, check, import. The
worker runs them (`outpost.core.tasks`), the CLI calls them directly; the requests that
queue them are in `outpost.core.imports.services`. Nothing here queues a task, so the tasks
can call these steps without an import loop.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.choices import ImportStatus
from outpost.core.imports.base import CommitCounts, RowImporter, get_importer, importers
from outpost.core.imports.error_report import error_workbook_bytes
from outpost.core.imports.pipeline import (
    ImportRowsInvalid,
    Validation,
    columns_for,
    commit,
    inspect_file,
    validate,
)
from outpost.core.imports.readers import ImportFileError
from outpost.core.messaging import NOTICE_IMPORT, staff_notice_send
from outpost.core.models import ImportJob, Unit

logger = logging.getLogger("outpost.imports")

IMPORT_PERMISSION = "core.add_importjob"
# Where a job may be (re)mapped and checked again.
EDITABLE = (ImportStatus.UPLOADED, ImportStatus.VALIDATED, ImportStatus.FAILED)
RUNNING = (ImportStatus.READING, ImportStatus.VALIDATING, ImportStatus.IMPORTING)


def imports_needing_attention(*, user, jobs=None):
    """The user's own imports waiting for them: columns to map, checked and ready to
    import, or failed (the import list with ?attention=1, the home page's to-do line)."""
    jobs = ImportJob.objects.visible_to(user) if jobs is None else jobs
    return jobs.filter(created_by=user, status__in=EDITABLE)


def may_import(user, importer: type[RowImporter]) -> bool:
    return user.has_perm(IMPORT_PERMISSION) and all(user.has_perm(p) for p in importer.permissions)


def import_kinds_for(user) -> list[tuple[str, str]]:
    """The kinds of import the user may run, as (kind, label) choices."""
    return [(kind, str(cls.label)) for kind, cls in importers().items() if may_import(user, cls)]


def importer_class(kind: str) -> type[RowImporter]:
    try:
        return get_importer(kind)
    except LookupError:
        raise ValidationError({"kind": _("Unknown kind of import.")}) from None


def check_may_import(user, importer: type[RowImporter], unit: Unit) -> None:
    if not may_import(user, importer):
        raise PermissionDenied(_("Your role may not import these records."))
    if not Unit.objects.visible_to(user).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("The import's unit is outside your jurisdiction."))


@contextmanager
def job_file_path(job: ImportJob) -> Iterator[Path]:
    """A local path of the job's file (a copy when the storage has no local paths)."""
    try:
        yield Path(job.file.path)
        return
    except NotImplementedError:
        pass
    suffix = Path(job.file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy, job.file.open("rb") as source:
        shutil.copyfileobj(source, copy)
        copy.flush()
        yield Path(copy.name)


def import_files_prune(*, older_than) -> int:
    """Delete the uploaded files (and error workbooks) of imports that ended before
    `older_than`; the job's record and counts stay. Returns how many jobs were cleared."""
    ended = ImportJob.objects.filter(
        status__in=[ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED],
        finished_at__lt=older_than,
    ).exclude(file="", error_report="")
    cleared = 0
    for job in ended:
        for field in (job.file, job.error_report):
            if field:
                field.delete(save=False)
        job.save(update_fields=["file", "error_report"])
        cleared += 1
    return cleared


def import_job_inspect(*, acting_user, job: ImportJob, sheet_name: str = "") -> ImportJob:
    """Read the file (in the worker, or the CLI): its sheets, the sheet chosen (the one
    whose header names most known columns, unless ``sheet_name``), its header and a guess of
    the mapping. A file that cannot be read fails the job with the reason."""
    importer = importer_class(job.kind)
    check_may_import(acting_user, importer, job.unit)
    try:
        with job_file_path(job) as path:
            info = inspect_file(path, importer=importer, sheet_name=sheet_name or None)
    except ImportFileError as exc:
        _fail(job, str(exc))
        return job
    job.sheets = [name[:100] for name in info.sheet_names]
    job.sheet_name = info.sheet_name[:100]
    job.header_row = info.header_row
    job.headers = info.headings
    job.mapping = info.mapping
    job.status = ImportStatus.UPLOADED
    job.failure = ""
    job.finished_at = None
    job.save()
    return job


def _importer_for(job: ImportJob, acting_user) -> RowImporter:
    cls = importer_class(job.kind)
    check_may_import(acting_user, cls, job.unit)
    columns = columns_for(cls, job.headers, job.mapping)
    reason = _("Import #%(pk)d (%(name)s)") % {"pk": job.pk, "name": job.original_name}
    return cls(unit=job.unit, acting_user=acting_user, columns=columns, reason=reason)


def _progress(job: ImportJob, start: int, end: int):
    last = [-1]

    def report(fraction: float) -> None:
        value = start + int((end - start) * fraction)
        if value != last[0]:
            last[0] = value
            ImportJob.objects.filter(pk=job.pk).update(progress=value)

    return report


def _record_validation(job: ImportJob, validation: Validation) -> None:
    job.total_rows = validation.total_rows
    job.valid_rows = validation.valid_rows
    job.error_count = len(validation.errors)
    job.first_errors = validation.first_errors
    job.created_count = validation.predicted["created"]
    job.updated_count = validation.predicted["updated"]
    job.unchanged_count = validation.predicted["unchanged"]
    if job.error_report:
        job.error_report.delete(save=False)
    if validation.errors:
        content = error_workbook_bytes(validation.errors, title=job.original_name)
        job.error_report.save(f"import-{job.pk}-errors.xlsx", ContentFile(content), save=False)


def _tell_owner(job: ImportJob, *, imported: bool) -> None:
    """Tell the user who uploaded the file, in their inbox and language, that the import
    finished or failed; the link opens the job's page (theirs: it lies in their unit)."""

    def compose() -> tuple[str, str]:
        if imported:
            subject = _("Import finished: %(file)s") % {"file": job.original_name}
            body = _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
                "created": job.created_count,
                "updated": job.updated_count,
                "unchanged": job.unchanged_count,
            }
        else:
            subject = _("Import failed: %(file)s") % {"file": job.original_name}
            body = _("Nothing was imported. Open the import to see why.")
        return subject, body

    staff_notice_send(
        recipients=[job.created_by],
        kind=NOTICE_IMPORT,
        compose=compose,
        url=reverse("core:import_detail", args=[job.pk]),
    )


def _fail(job: ImportJob, message: str) -> None:
    job.status = ImportStatus.FAILED
    job.failure = message
    job.finished_at = timezone.now()
    job.save()
    _tell_owner(job, imported=False)


def _validate_file(job: ImportJob, acting_user, progress) -> Validation | None:
    """Read and check every row of the job's file. When the file cannot be read the job
    fails (saying why) and None is returned."""
    importer = _importer_for(job, acting_user)
    try:
        with job_file_path(job) as path:
            return validate(
                path,
                importer=importer,
                sheet_name=job.sheet_name,
                header_row=job.header_row or 0,
                progress=progress,
            )
    except ImportFileError as exc:
        _fail(job, str(exc))
        return None


def import_job_validate(*, acting_user, job: ImportJob, progress: bool = True) -> Validation | None:
    """Check every row and record the preview: counts, first errors, error workbook.

    Writes nothing but the job. Returns None when the file cannot be read (the job then
    says why)."""
    validation = _validate_file(job, acting_user, _progress(job, 0, 99) if progress else None)
    if validation is None:
        return None
    _record_validation(job, validation)
    job.status = ImportStatus.VALIDATED
    job.progress = 100
    job.save()
    logger.info(
        "import %s checked: %s rows, %s with errors, %.1f s",
        job.pk,
        validation.total_rows,
        validation.bad_rows,
        validation.seconds,
    )
    return validation


def import_job_commit(
    *, acting_user, job: ImportJob, validation: Validation | None = None
) -> CommitCounts | None:
    """Check the file again (the registry may have changed since the preview) and write it
    in one transaction: all rows, or with ``job.skip_bad_rows`` the good ones. The job's
    outcome is saved in the same transaction. Returns None when nothing was written.

    ``validation``: the result of `import_job_validate` just before, in this process (the
    CLI), which is then not repeated."""
    if validation is None:
        validation = _validate_file(job, acting_user, _progress(job, 0, 60))
        if validation is None:
            return None
    _record_validation(job, validation)

    def record(counts: CommitCounts) -> None:
        job.created_count = counts.created
        job.updated_count = counts.updated
        job.unchanged_count = counts.unchanged
        job.status = ImportStatus.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.save()

    started = time.perf_counter()
    try:
        counts = commit(
            validation,
            skip_bad_rows=job.skip_bad_rows,
            on_commit_write=record,
        )
    except ImportRowsInvalid as exc:
        # Back to the preview, with the new errors: nothing was written.
        job.status = ImportStatus.VALIDATED
        job.progress = 100
        job.failure = str(exc)
        job.save()
        _tell_owner(job, imported=False)
        return None
    except IntegrityError:
        logger.exception("import %s: integrity error, rolled back", job.pk)
        job.status = ImportStatus.VALIDATED
        job.progress = 100
        job.failure = _(
            "The registry changed while importing, so nothing was imported. Check the file "
            "again and import it again."
        )
        job.save()
        _tell_owner(job, imported=False)
        return None
    logger.info(
        "import %s done: %s created, %s updated, %s unchanged, written in %.1f s",
        job.pk,
        counts.created,
        counts.updated,
        counts.unchanged,
        time.perf_counter() - started,
    )
    _tell_owner(job, imported=True)
    return counts


def import_job_fail(*, job: ImportJob, message: str) -> None:
    """Record that a step failed unexpectedly (the task logs the traceback)."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, failure=message, finished_at=timezone.now()
    )
    _tell_owner(job, imported=False)


def import_job_interrupted(*, task_kwargs: dict) -> bool:
    """Recovery handler (`outpost.core.recovery`): the worker checking or importing the
    job of `task_kwargs` died. An import is written in one transaction, so a worker that
    died importing wrote nothing: the job goes back to its checked preview, and its page
    offers the import again. A check that died is failed; its page offers to check again.
    Returns False when the job had already finished."""
    job = ImportJob.objects.filter(pk=task_kwargs.get("job_id"), status__in=RUNNING).first()
    if job is None:
        return False
    if job.status == ImportStatus.IMPORTING:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.VALIDATED,
            progress=100,
            failure=_(
                "The background worker stopped while importing (Outpost was restarted or "
                "the machine went down), so nothing was imported. You can import again."
            ),
        )
    elif job.status == ImportStatus.READING:
        import_job_fail(
            job=job,
            message=_(
                "The background worker stopped while reading the file (Outpost was "
                "restarted or the machine went down). Upload it again."
            ),
        )
    else:
        import_job_fail(
            job=job,
            message=_(
                "The background worker stopped while checking the rows (Outpost was "
                "restarted or the machine went down). Check them again."
            ),
        )
    logger.info("import %s interrupted while %s", job.pk, job.status)
    return True
