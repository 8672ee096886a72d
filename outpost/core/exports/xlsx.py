"""The one xlsx writer of Outpost: every workbook an export writes goes through it.

Text stays text. A string is written as an inline string (``data_type`` ``"s"``), never as
a formula, whatever it starts with: a workplace ``=HYPERLINK(…)``, a note ``+86…`` or
``@SUM(…)`` is shown as typed and evaluated by nobody; strings that Excel or LibreOffice
would turn into a formula when the cell is edited (``= + - @``, tab, CR) also get the
quote prefix (the ``'`` Excel shows). ID numbers, phones and household numbers are always
strings here, so they keep every digit; declared text columns also get the text number
format ``@``.

Whatever is stored is written. XML 1.0 forbids most control characters (``\\x07`` in a
workplace would make openpyxl refuse the whole workbook): each one is replaced by U+FFFD,
so the ledger is written and the bad character is visible where it was.

Workbooks are write-only (openpyxl streams rows to a temporary file): the residents ledger
of the whole station needs little memory. A sheet's layout (widths, frozen header, print
setup, merged title rows) is set before its first row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_FORMAT = "@"
REPLACEMENT = "\ufffd"
# What spreadsheet programs read as the start of a formula when a cell is typed or edited.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})

HEADING_FONT = Font(bold=True)
HEADING_FILL = PatternFill("solid", fgColor="DDE4EE")
THIN = Side(style="thin", color="9AA5B1")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def clean_text(value: str) -> str:
    """`value` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)


def sheet_title(text) -> str:
    """A title Excel accepts for a sheet: no ``[]:*?/\\``, control characters, 31 at most."""
    return clean_text(str(text)).translate(_SHEET_TITLE_FORBIDDEN)[:31] or "Sheet1"


class Sheet:
    """One write-only worksheet. Every value goes through `cell`."""

    def __init__(self, worksheet):
        self.worksheet = worksheet
        self.rows = 0  # rows appended so far

    def cell(
        self,
        value,
        *,
        text: bool = False,
        font: Font | None = None,
        fill: PatternFill | None = None,
        alignment: Alignment | None = None,
        border: Border | None = None,
        number_format: str | None = None,
    ) -> WriteOnlyCell:
        """A cell holding `value`; a string (or lazy translation) is stored as text."""
        if isinstance(value, Promise):
            value = str(value)
        if isinstance(value, str):
            value = clean_text(value)
            cell = WriteOnlyCell(self.worksheet, value=value)
            # Set after the value: openpyxl binds "=…" as a formula and "#N/A" as an error.
            cell.data_type = "s"
            if value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True
            if text:
                cell.number_format = TEXT_FORMAT
        else:
            cell = WriteOnlyCell(self.worksheet, value=value)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        if border is not None:
            cell.border = border
        if number_format is not None:
            cell.number_format = number_format
        return cell

    def append(self, values, **style) -> None:
        """One row; `values` may mix plain values and cells made by `cell`. An empty value
        ("" or None) writes no cell at all. `style` applies to every plain value."""
        row = []
        for value in values:
            if value is None or value == "":
                row.append(None)
            elif isinstance(value, Cell):
                row.append(value)
            else:
                # A fresh cell per value: openpyxl reuses one cell object for plain values
                # after a styled one, and the style would spill over.
                row.append(self.cell(value, **style))
        self.worksheet.append(row)
        self.rows += 1

    def widths(self, widths) -> None:
        for index, width in enumerate(widths, start=1):
            self.worksheet.column_dimensions[get_column_letter(index)].width = width

    def merge_row(self, row: int, columns: int) -> None:
        if columns > 1:
            self.worksheet.merged_cells.add(f"A{row}:{get_column_letter(columns)}{row}")

    def print_setup(self, *, landscape: bool, header_row: int | None = None) -> None:
        """A4, fit to the page's width; `header_row` frozen and repeated on every page."""
        sheet = self.worksheet
        if header_row:
            sheet.freeze_panes = f"A{header_row + 1}"
            sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.page_setup.orientation = "landscape" if landscape else "portrait"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True


class XlsxBook:
    """A write-only workbook of `Sheet`s, saved once to a path or a binary file."""

    def __init__(self):
        self.workbook = Workbook(write_only=True)

    def sheet(self, title) -> Sheet:
        return Sheet(self.workbook.create_sheet(sheet_title(title)))

    def save(self, target) -> None:
        self.workbook.save(target)


# ---------------------------------------------------------------------------- printed ledgers


@dataclass(frozen=True)
class Column:
    heading: Promise | str
    width: float
    text: bool = False  # a text cell: numbers that must stay text (IDs, phones, house numbers)


@dataclass(frozen=True)
class LedgerOutcome:
    rows: int
    fields: tuple[str, ...]  # the personal-data fields written, for the access log


HEADER_ROW = 3


class LedgerSheet:
    """A ledger (台账) laid out for printing on A4 landscape: a title row naming the unit and
    the day, a line saying who exported it and whether numbers are masked, the header row
    (frozen, repeated on every printed page), then the rows and a total line."""

    def __init__(self, *, sheet_title: str, title: str, subtitle: str, columns: list[Column]):
        self.book = XlsxBook()
        self.sheet = self.book.sheet(sheet_title)
        self.columns = columns
        self._text = [column.text for column in columns]
        sheet = self.sheet
        sheet.widths([column.width for column in columns])
        sheet.merge_row(1, len(columns))
        sheet.merge_row(2, len(columns))
        sheet.print_setup(landscape=True, header_row=HEADER_ROW)
        worksheet = sheet.worksheet
        worksheet.print_options.gridLines = True
        worksheet.print_options.horizontalCentered = True
        worksheet.page_margins.left = worksheet.page_margins.right = 0.4
        worksheet.page_margins.top = worksheet.page_margins.bottom = 0.5
        sheet.append(
            [title], font=Font(bold=True, size=16), alignment=Alignment(horizontal="center")
        )
        sheet.append([subtitle], font=Font(size=10, color="555555"))
        sheet.append(
            [str(column.heading) for column in columns],
            font=HEADING_FONT,
            fill=HEADING_FILL,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
            border=Border(bottom=Side(style="thin")),
        )
        self.rows = 0

    def append(self, values: list) -> None:
        self.sheet.append(
            [
                self.sheet.cell(value, text=text) if value not in (None, "") else None
                for value, text in zip(values, self._text, strict=True)
            ]
        )
        self.rows += 1

    def save(self, target, *, footer: str) -> None:
        if footer:
            self.sheet.append([footer], font=Font(bold=True))
        self.book.save(target)


def export_subtitle(*, acting_user, today: datetime.date, unmasked: bool | None) -> str:
    """Who exported the file and when, and whether numbers are masked (None: no personal
    data to mask)."""
    profile = getattr(acting_user, "staff_profile", None)
    parts = [
        _("Exported %(date)s by %(name)s")
        % {"date": today.isoformat(), "name": profile or acting_user},
    ]
    if unmasked is True:
        parts.append(_("UNMASKED: contains full ID numbers, phones and addresses. Keep it safe."))
    elif unmasked is False:
        parts.append(_("ID numbers, phones and addresses are masked."))
    return " · ".join(parts)
