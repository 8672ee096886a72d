"""``outpost report daily --date YYYY-MM-DD [--unit CODE] [--user NAME] --out FILE.xlsx|.pdf``:
the daily report (每日信息通报) from the command line, e.g. for a cron job that mails it to
the branch. The same export as the web page, masked and written to the access log as the
acting user; the format follows the file's suffix. Prints where it wrote and how long it
took."""

from __future__ import annotations

import datetime
import io
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from outpost.briefing.exports import REPORT_FORMATS, DailyReportExport
from outpost.core.choices import EXPORT_PURPOSES, AccessPurpose
from outpost.core.exports.base import export_write, get_export
from outpost.core.management.base import ScopedCommand


class Command(ScopedCommand):
    # The checks cost a second at every start; `outpost check` and `migrate` run them.
    requires_system_checks = []
    help = _(
        "Write the daily report of a unit for a day: "
        "`outpost report daily --date YYYY-MM-DD --out FILE.xlsx|.pdf`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["daily"], help=_("Which report."))
        parser.add_argument("--date", dest="day", required=True, help=_("The day, YYYY-MM-DD."))
        parser.add_argument(
            "--out", required=True, type=Path, help=_("The file to write: .xlsx or .pdf.")
        )
        parser.add_argument(
            "--purpose",
            default=AccessPurpose.REPORT_UP.value,
            choices=[purpose.value for purpose in EXPORT_PURPOSES],
            help=_("Why you export it (written to the access log); default: report_up."),
        )
        parser.add_argument(
            "--reason",
            default=_("Daily report for the branch (command line)"),
            help=_("The purpose in words (needed for other); written to the access log."),
        )
        super().add_arguments(parser)

    def handle(self, *args, day, out: Path, purpose, reason, username, unit_code, **options):
        try:
            report_day = datetime.date.fromisoformat(day)
        except ValueError:
            raise CommandError(
                _("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": day}
            ) from None
        file_format = out.suffix.lower().lstrip(".")
        if file_format not in REPORT_FORMATS:
            raise CommandError(
                _("Cannot tell the format from “%(name)s”: end the file name in .xlsx or .pdf.")
                % {"name": out.name}
            )
        user = self.acting_user(username)
        unit = self.acting_unit(user, unit_code)
        started = time.perf_counter()
        try:
            # Written in memory first: a refused or failed export leaves no file behind.
            buffer = io.BytesIO()
            export_write(
                definition=get_export(DailyReportExport.name),
                acting_user=user,
                params={
                    "unit_id": unit.pk,
                    "day": report_day.isoformat(),
                    "file_format": file_format,
                },
                target=buffer,
                purpose=purpose,
                reason=reason,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        path = out.resolve()
        path.write_bytes(buffer.getvalue())
        self.stdout.write(
            _("Wrote the daily report of %(unit)s for %(day)s to %(path)s in %(seconds).2f s.")
            % {
                "unit": unit.name,
                "day": report_day.isoformat(),
                "path": path,
                "seconds": time.perf_counter() - started,
            }
        )
