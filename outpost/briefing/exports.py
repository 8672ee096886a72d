"""The daily report (每日信息通报) as files: an xlsx workbook and a print-ready A4 PDF.

The workbook's first sheet has the fixed layout the branch files (title, one row per figure
under its group with the day's and the week's change, then the units below); one sheet per
list follows, complete. The PDF (WeasyPrint, Noto Sans CJK SC) has the same tables and the
lists cut at PDF_LIST_LIMIT rows each: a list of thousands is not read on paper, and the
workbook has them all. Both only render a `DailyReport`: scope, permission and the access
log are `services.daily_report_export`'s.
"""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from outpost.briefing.reports import DailyReport

# The report's name on the form the branch expects; a proper name, like a form number.
REPORT_NAME = "每日信息通报"
PDF_LIST_LIMIT = 100
# Units per block of the PDF's table of the units below: more would not fit across A4.
PDF_UNITS_PER_BLOCK = 6

_BOLD = Font(bold=True)
_HEADING_FILL = PatternFill("solid", fgColor="DDE4EE")
_INVALID_SHEET_CHARACTERS = str.maketrans({c: " " for c in "[]:*?/\\"})


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


def _sheet_title(text: str) -> str:
    return str(text).translate(_INVALID_SHEET_CHARACTERS)[:31]


def _heading_row(sheet, row: int, headings: list) -> None:
    for column, heading in enumerate(headings, start=1):
        cell = sheet.cell(row=row, column=column, value=str(heading))
        cell.font = _BOLD
        cell.fill = _HEADING_FILL


def daily_report_xlsx(report: DailyReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(_("Figures"))
    sheet.cell(row=1, column=1, value=report_title(report)).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
    sheet.cell(row=2, column=1, value=report_source(report))
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    _heading_row(
        sheet,
        3,
        [
            _("Figure"),
            _("Value"),
            _("Change since the day before"),
            _("Change since a week before"),
        ],
    )
    row = 4
    for group in report.groups:
        sheet.cell(row=row, column=1, value=str(group.label)).font = _BOLD
        row += 1
        for line in group.lines:
            sheet.cell(row=row, column=1, value=f"　{line.figure.label}")
            sheet.cell(row=row, column=2, value=_shown(line.value))
            sheet.cell(row=row, column=3, value=_signed(line.delta_day))
            sheet.cell(row=row, column=4, value=_signed(line.delta_week))
            row += 1
    if report.children:
        row += 1
        sheet.cell(row=row, column=1, value=_("Units below")).font = _BOLD
        row += 1
        _heading_row(sheet, row, [_("Unit"), *(figure.label for figure in report.figures)])
        for child in report.children:
            row += 1
            # Marked only where it differs from the report: a unit added after the day closed.
            live = child.live and not report.live
            name = f"{child.unit.name} ({_('live')})" if live else child.unit.name
            sheet.cell(row=row, column=1, value=name)
            for column, figure in enumerate(report.figures, start=2):
                sheet.cell(row=row, column=column, value=_shown(child.values[figure.key]))
    sheet.column_dimensions["A"].width = 34
    for column in range(2, len(report.figures) + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    for cell in sheet[3]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    for report_list in report.lists:
        list_sheet = workbook.create_sheet(_sheet_title(report_list.title))
        list_sheet.append([f"{report_title(report)} {report_list.title}"])
        list_sheet["A1"].font = _BOLD
        _heading_row(list_sheet, 2, [column.label for column in report_list.columns])
        for values in report_list.rows:
            list_sheet.append(list(values))
        list_sheet.freeze_panes = "A3"
        for index, column in enumerate(report_list.columns, start=1):
            list_sheet.column_dimensions[get_column_letter(index)].width = column.width
    buffer = io.BytesIO()
    workbook.save(buffer)
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


def daily_report_pdf(report: DailyReport) -> bytes:
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
        },
    )
    return HTML(string=html).write_pdf()
