"""The daily report (每日信息通报) as files: an xlsx workbook and a print-ready A4 PDF.

The workbook's first sheet has the fixed layout the branch files (title, one row per figure
under its group with the day's and the week's change, then the units below); one sheet per
list follows, complete. The PDF (WeasyPrint, Noto Sans CJK SC) has the same tables and the
lists cut at PDF_LIST_LIMIT rows each: a list of thousands is not read on paper, and the
workbook has them all. Both only render a `DailyReport`; `DailyReportExport` says what the
export lists and needs (registered in `BriefingConfig.ready()`); scope, reason and the
access log are `core.exports`'.
"""

from __future__ import annotations

import datetime
import io

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font

from outpost.briefing.models import DailySnapshot
from outpost.briefing.reports import DailyReport, daily_report
from outpost.core.exports.base import (
    ExportDefinition,
    ExportRequest,
    Fact,
    Masking,
    Written,
    safe_filename,
)
from outpost.core.exports.xlsx import HEADING_FILL, XlsxBook
from outpost.core.models import Unit
from outpost.core.printing import print_context
from outpost.core.scoping import get_visible

# The report's name on the form the branch expects; a proper name, like a form number.
REPORT_NAME = "每日信息通报"
PDF_LIST_LIMIT = 100
# Units per block of the PDF's table of the units below: more would not fit across A4.
PDF_UNITS_PER_BLOCK = 6
REPORT_FORMATS = ("xlsx", "pdf")
REPORT_LIST_FIELDS = ("name", "id_number", "phone")

_BOLD = Font(bold=True)


def report_title(report: DailyReport) -> str:
    return f"{report.unit.name} {REPORT_NAME} {report.day.isoformat()}"


def report_source(report: DailyReport) -> str:
    """Where the figures come from: the day's snapshot, or counted live (and when)."""
    if report.live:
        return _("Counted live at %(moment)s: the day has no snapshot yet.") % {
            "moment": timezone.localtime(report.moment).strftime("%Y-%m-%d %H:%M")
        }
    return _("From the snapshot taken at %(moment)s.") % {
        "moment": timezone.localtime(report.taken_at).strftime("%Y-%m-%d %H:%M")
    }


def _signed(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value:+d}" if value else "0"


def _shown(value: int | None) -> int | str:
    return "—" if value is None else value


def daily_report_xlsx(report: DailyReport) -> bytes:
    """The workbook, through the shared writer: every name and note stays text."""
    book = XlsxBook()
    sheet = book.sheet(_("Figures"))
    sheet.widths([34] + [14] * len(report.figures))
    sheet.merge_row(1, 4)
    sheet.merge_row(2, 4)
    sheet.append([report_title(report)], font=Font(bold=True, size=14))
    sheet.append([report_source(report)])
    sheet.append(
        [
            _("Figure"),
            _("Value"),
            _("Change since the day before"),
            _("Change since a week before"),
        ],
        font=_BOLD,
        fill=HEADING_FILL,
        alignment=Alignment(wrap_text=True, vertical="top"),
    )
    for group in report.groups:
        sheet.append([group.label], font=_BOLD)
        for line in group.lines:
            sheet.append(
                [
                    f"　{line.figure.label}",
                    _shown(line.value),
                    _signed(line.delta_day),
                    _signed(line.delta_week),
                ]
            )
    if report.children:
        sheet.append([])
        sheet.append([_("Units below")], font=_BOLD)
        sheet.append(
            [_("Unit"), *(figure.label for figure in report.figures)],
            font=_BOLD,
            fill=HEADING_FILL,
        )
        for child in report.children:
            # Marked only where it differs from the report: a unit added after the day closed.
            live = child.live and not report.live
            name = f"{child.unit.name} ({_('live')})" if live else child.unit.name
            sheet.append([name, *(_shown(child.values[f.key]) for f in report.figures)])

    for report_list in report.lists:
        list_sheet = book.sheet(report_list.title)
        list_sheet.widths([column.width for column in report_list.columns])
        list_sheet.worksheet.freeze_panes = "A3"
        list_sheet.append([f"{report_title(report)} {report_list.title}"], font=_BOLD)
        list_sheet.append(
            [column.label for column in report_list.columns], font=_BOLD, fill=HEADING_FILL
        )
        for values in report_list.rows:
            list_sheet.append(list(values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _children_blocks(report: DailyReport) -> list[dict]:
    """The units below, turned so that figures are rows and units columns, in blocks of
    PDF_UNITS_PER_BLOCK units."""
    blocks = []
    for start in range(0, len(report.children), PDF_UNITS_PER_BLOCK):
        children = report.children[start : start + PDF_UNITS_PER_BLOCK]
        blocks.append(
            {
                "units": children,
                "groups": [
                    {
                        "label": group.label,
                        "rows": [
                            {
                                "label": line.figure.label,
                                "values": [_shown(c.values[line.figure.key]) for c in children],
                            }
                            for line in group.lines
                        ],
                    }
                    for group in report.groups
                ],
            }
        )
    return blocks


def daily_report_pdf(report: DailyReport, *, acting_user=None) -> bytes:
    # Imported here: WeasyPrint loads Pango and its fonts, which pages never need.
    from weasyprint import HTML

    lists = []
    for report_list in report.lists:
        total = sum(column.width for column in report_list.columns)
        lists.append(
            {
                "list": report_list,
                "widths": [f"{100 * column.width / total:.1f}%" for column in report_list.columns],
                "rows": report_list.rows[:PDF_LIST_LIMIT],
                "more": max(0, len(report_list.rows) - PDF_LIST_LIMIT),
            }
        )
    html = render_to_string(
        "briefing/daily_report_pdf.html",
        {
            "report": report,
            "title": report_title(report),
            "source": report_source(report),
            "lines": [
                {
                    "group": group.label,
                    "lines": [
                        {
                            "label": line.figure.label,
                            "value": _shown(line.value),
                            "delta_day": _signed(line.delta_day),
                            "delta_week": _signed(line.delta_week),
                        }
                        for line in group.lines
                    ],
                }
                for group in report.groups
            ],
            "children_blocks": _children_blocks(report),
            "lists": lists,
            "generated": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            **print_context(acting_user=acting_user),
        },
    )
    return HTML(string=html).write_pdf()


class DailyReportExport(ExportDefinition):
    """The daily report of a unit of the user's scope for a day, as xlsx or PDF; its lists
    are personal data, masked."""

    name = "briefing.daily_report"
    label = gettext_lazy("Daily report")
    model = DailySnapshot
    fields = REPORT_LIST_FIELDS
    masking = Masking.MASKED
    permissions = ("core.export_personal_data",)
    permission_message = gettext_lazy("Your role may not export the daily report.")
    form_url_name = "briefing:report"

    def file_format(self, params: dict) -> str:
        return params["file_format"] if params.get("file_format") in REPORT_FORMATS else "xlsx"

    def records(self, *, user, params: dict) -> dict:
        return {"unit": get_visible(Unit, user, params["unit_id"])}

    def clean(self, *, params: dict, records: dict) -> None:
        if params.get("file_format") not in REPORT_FORMATS:
            raise ValidationError({"file_format": _("Choose xlsx or PDF.")})
        if datetime.date.fromisoformat(params["day"]) > timezone.localdate():
            raise ValidationError({"day": _("The report cannot be of a day still to come.")})

    def purpose(self, *, params: dict, records: dict, unmasked: bool) -> str:
        return _("Daily report: %(unit)s, %(day)s, %(format)s, masked") % {
            "unit": records["unit"].name,
            "day": params["day"],
            "format": params["file_format"],
        }

    def facts(self, *, params: dict, records: dict) -> list[Fact]:
        return [Fact(_("Unit"), records["unit"].name), Fact(_("Day"), params["day"])]

    def write(self, *, request: ExportRequest, records: dict, target) -> Written:
        params = request.params
        unit, file_format = records["unit"], params["file_format"]
        report = daily_report(
            user=request.acting_user, unit=unit, day=datetime.date.fromisoformat(params["day"])
        )
        if file_format == "pdf":
            target.write(daily_report_pdf(report, acting_user=request.acting_user))
        else:
            target.write(daily_report_xlsx(report))
        return Written(
            rows=report.list_rows,
            filename=safe_filename(REPORT_NAME, unit.name, params["day"], suffix=file_format),
        )


EXPORTS = [DailyReportExport()]
