"""The feedback workbook (核查反馈表) of a dispatch order, as xlsx.

The incoming list goes back up as it came — its own columns in their order, every row,
values as sent — with the result columns added at the right. All cells are text cells
(number format ``@``), so ID numbers and phones keep every digit. Only writes: permission,
scope and the access log are `services.feedback_export`'s.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

TEXT = "@"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def result_headings() -> list[str]:
    return [_("Result"), _("Moved to"), _("Note"), _("Verified at"), _("Verified by")]


def _result_values(item) -> list[str]:
    by = ""
    if item.recorded_by_id:
        profile = getattr(item.recorded_by, "staff_profile", None)
        by = str(profile or item.recorded_by)
    verified = (
        timezone.localtime(item.result_at).strftime("%Y-%m-%d %H:%M") if item.result_at else ""
    )
    return [
        item.get_result_display() if item.result else _("Not verified yet"),
        item.moved_to,
        item.result_note,
        verified,
        by,
    ]


def feedback_workbook(*, order, items, path: Path) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=(order.sheet_name or "Sheet1")[:31])
    bold = Font(bold=True)
    added = PatternFill("solid", fgColor="FFF2CC")
    width = len(order.headers)
    header = []
    for heading in order.headers:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        header.append(cell)
    for heading in result_headings():
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font, cell.fill = bold, added
        header.append(cell)
    sheet.freeze_panes = "A2"
    sheet.append(header)
    for item in items:
        values = list(item.values[:width]) + [""] * (width - len(item.values))
        row = []
        for value in [*values, *_result_values(item)]:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = TEXT
            row.append(cell)
        sheet.append(row)
    book.save(path)


def feedback_filename(order) -> str:
    number = _UNSAFE.sub("_", order.order_number).strip("_") or str(order.pk)
    return _("feedback-%(number)s-%(day)s.xlsx") % {
        "number": number,
        "day": timezone.localdate().isoformat(),
    }
