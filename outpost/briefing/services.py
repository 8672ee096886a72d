"""Writes of the briefing: taking the daily snapshots, exporting the daily report."""

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.briefing.exports import REPORT_NAME, daily_report_pdf, daily_report_xlsx
from outpost.briefing.figures import subtree_rows
from outpost.briefing.models import DailySnapshot, pk_runs
from outpost.briefing.reports import daily_report, day_moment
from outpost.core.models import Unit
from outpost.core.scoping import get_visible
from outpost.core.services import REASON_MIN_LENGTH, personal_data_export_log


@transaction.atomic
def snapshots_take(*, day: datetime.date, now: datetime.datetime | None = None) -> int:
    """Freeze the figures of every unit for `day`, each with the rows it counts (its count
    is the number of those rows), states as of the day's close (or `now`, if earlier); a
    day already frozen is left as it was (a closed day never changes). Returns how many
    snapshots were written."""
    now = now or timezone.now()
    moment = day_moment(day, now)
    done = set(DailySnapshot.objects.filter(day=day).values_list("unit_id", flat=True))
    written = 0
    for root in Unit.objects.filter(parent__isnull=True):
        snapshots = [
            DailySnapshot(
                unit_id=unit_id,
                day=day,
                figures={key: len(pks) for key, pks in rows.items()},
                rows={key: pk_runs(pks) for key, pks in rows.items()},
                taken_at=now,
            )
            for unit_id, rows in subtree_rows(root=root, day=day, now=moment).items()
            if unit_id not in done
        ]
        DailySnapshot.objects.bulk_create(snapshots, batch_size=100)
        written += len(snapshots)
    return written


REPORT_FORMATS = ("xlsx", "pdf")
REPORT_LIST_FIELDS = ("name", "id_number", "phone")


@dataclass(frozen=True)
class ReportFile:
    path: Path
    filename: str  # offered to the browser: 每日信息通报-<unit>-<day>.<format>
    rows: int  # rows of the lists (personal data) it holds


def daily_report_export(
    *,
    acting_user,
    unit_id: int,
    day: datetime.date,
    file_format: str,
    path: Path,
    reason: str,
    ip_address: str | None = None,
) -> ReportFile:
    """Write the daily report (每日信息通报) of a unit of the acting user's scope for `day`
    to `path` as xlsx or PDF, and log the export with its reason: its lists are personal
    data, masked. Not one transaction: reading the lists must not hold a write lock."""
    unit = get_visible(Unit, acting_user, unit_id)
    if not acting_user.has_perm("core.export_personal_data"):
        raise PermissionDenied(_("Your role may not export the daily report."))
    if file_format not in REPORT_FORMATS:
        raise ValidationError({"file_format": _("Choose xlsx or PDF.")})
    if len((reason or "").strip()) < REASON_MIN_LENGTH:
        raise ValidationError(
            {
                "reason": _("State the reason in at least %(n)d characters.")
                % {"n": REASON_MIN_LENGTH}
            }
        )
    if day > timezone.localdate():
        raise ValidationError({"day": _("The report cannot be of a day still to come.")})
    report = daily_report(user=acting_user, unit=unit, day=day)
    content = daily_report_pdf(report) if file_format == "pdf" else daily_report_xlsx(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.part")
    try:
        partial.write_bytes(content)
        personal_data_export_log(
            acting_user=acting_user,
            model=DailySnapshot,
            description=_("Daily report: %(unit)s, %(day)s, %(format)s, masked")
            % {"unit": unit.name, "day": day.isoformat(), "format": file_format},
            fields=REPORT_LIST_FIELDS,
            row_count=report.list_rows,
            reason=reason,
            unmasked=False,
            ip_address=ip_address,
        )
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    safe = "".join(ch for ch in unit.name if ch not in '\\/:*?"<>|').strip() or "report"
    return ReportFile(
        path=path,
        filename=f"{REPORT_NAME}-{safe}-{day.isoformat()}.{file_format}",
        rows=report.list_rows,
    )
