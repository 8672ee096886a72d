"""The error workbook: one line per problem, with the row number Excel shows, the column,
the (masked) value and the reason. IDs and phones are masked, so the workbook is no export of
personal data (DESIGN rule 2)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from outpost.core.imports.base import RowError


def _text(sheet, value, *, bold: bool = False) -> WriteOnlyCell:
    """A cell that stays text: a value such as ``=1+1`` from the file is never a formula."""
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def error_workbook_bytes(errors: Iterable[RowError], *, title: str = "") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Errors")[:31])
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCD", (8, 24, 24, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append(
        [_text(sheet, t, bold=True) for t in (_("Row"), _("Column"), _("Value"), _("Reason"))]
    )
    for error in errors:
        sheet.append(
            [
                error.row,
                _text(sheet, error.column),
                _text(sheet, error.value),
                _text(sheet, error.message),
            ]
        )
    if title:
        book.properties.title = title[:200]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
