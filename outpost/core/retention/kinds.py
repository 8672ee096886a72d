"""Core's own kinds of record under retention: the access log (kept three years, the legal
minimum of `OUTPOST_RETENTION_MINIMUM_DAYS`) and the files and error rows of imports.

(Exports need no kind: `outpost prune` deletes an export's file and its task record a
week after it finished.)"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import ImportStatus, RetentionAction
from outpost.core.retention import RetentionKind


def import_files_delete(pks: list[int]) -> None:
    """The uploaded file and the error workbook of each import of the batch."""
    from outpost.core.models import ImportJob

    for job in ImportJob.objects.filter(pk__in=pks).exclude(file="", error_report=""):
        for stored in (job.file, job.error_report):
            if stored:
                stored.delete(save=False)


RETENTION_KINDS = [
    RetentionKind(
        key="core.accesslog",
        label=_("Access log entries"),
        model="core.AccessLog",
        reference="at",
        reference_label=_("the entry"),
        default_days=1095,
        actions=(RetentionAction.DELETE,),
    ),
    RetentionKind(
        key="core.importjob",
        label=_("Imports (files and error rows)"),
        model="core.ImportJob",
        reference="finished_at",
        reference_label=_("the import's end"),
        default_days=30,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"file": "", "error_report": "", "first_errors": []},
        eligible=Q(status__in=[ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED]),
        on_purge=import_files_delete,
    ),
]
