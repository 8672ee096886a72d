"""The error workbook: one line per problem, with the row number Excel shows, the column,
the (masked) value and the reason. IDs and phones are masked, so the workbook is no export of
personal data (DESIGN rule 2)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl.styles import Font

from outpost.core.exports.xlsx import XlsxBook
from outpost.core.imports.base import RowError


def error_workbook_bytes(errors: Iterable[RowError], *, title: str = "") -> bytes:
    """Through the shared writer: a value from the file such as ``=1+1`` stays text, and a
    character XML cannot hold does not stop the workbook being written."""
    book = XlsxBook()
    sheet = book.sheet(_("Errors"))
    sheet.worksheet.freeze_panes = "A2"
    sheet.widths((8, 24, 24, 80))
    sheet.append([_("Row"), _("Column"), _("Value"), _("Reason")], font=Font(bold=True))
    for error in errors:
        sheet.append([error.row, str(error.column), str(error.value), str(error.message)])
    if title:
        book.workbook.properties.title = title[:200]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
