"""Reading an order workbook (调度指令名单): every row kept, with its original columns.

The shared readers find the sheet, the header (title rows and merged cells included) and
the columns that name a person (`inspect_file`, by the synonyms below). Unlike a registry
import, nothing is refused row by row: an order is the higher level's own list and every
row of it needs an answer, so each data row becomes an item with all its cells as text, in
the column order of the file; the identity columns are read besides for matching. The kind
is not registered with the generic import pages (`register_importer`): orders are uploaded
from the dispatch pages.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.identity import normalize_id_number, normalize_phone
from outpost.core.imports.base import ImportField, RowImporter, cell_text
from outpost.core.imports.pipeline import inspect_file
from outpost.core.imports.readers import ImportFileError, open_workbook
from outpost.screening.engine import parse_feed_date

IDENTITY_FIELDS = ("name", "id_number", "phone")
# An order is a list of people to verify, not a feed: a few thousand rows at most.
MAX_ITEMS = 20_000


class OrderImporter(RowImporter):
    """The columns an order is matched by; the others are kept as they are."""

    kind = "dispatch.order"
    cli_name = "orders"
    label = gettext_lazy("Dispatch order")
    permissions = ("dispatch.add_dispatchorder",)
    fields = (
        ImportField("name", gettext_lazy("Name"), ("姓名", "名字", "人员姓名", "name")),
        ImportField(
            "id_number",
            gettext_lazy("ID number"),
            ("身份证号", "身份证号码", "公民身份号码", "证件号码", "证件号", "id number"),
            sensitive="id",
        ),
        ImportField(
            "phone",
            gettext_lazy("Phone"),
            ("手机号", "手机号码", "联系电话", "手机", "电话", "联系方式", "phone", "mobile"),
            sensitive="phone",
        ),
        ImportField("birth_date", gettext_lazy("Birth date"), ("出生日期", "生日", "birth date")),
    )


@dataclass(slots=True)
class OrderRow:
    row_number: int
    values: list[str]
    name: str = ""
    id_number: str = ""
    phone: str = ""
    birth_date: datetime.date | None = None


@dataclass
class OrderReading:
    sheet_name: str
    header_row: int
    headers: list[str]
    mapping: dict[str, str]
    rows: list[OrderRow]


def order_read(path: Path) -> OrderReading:
    """Every data row of an order file below its header; `ImportFileError` with the reason
    when the file cannot be read, names no identity column or has no data row."""
    info = inspect_file(path, importer=OrderImporter)
    if not set(info.mapping.values()) & set(IDENTITY_FIELDS):
        found = ", ".join(h for h in info.headings if h)[:300]
        raise ImportFileError(
            _(
                "The file has no column for the name, the ID number or the phone (such as "
                "姓名, 身份证号, 联系电话). The columns found in row %(row)d are: %(columns)s."
            )
            % {"row": info.header_row, "columns": found or "-"}
        )
    headers = list(info.headings)
    picks = {name: int(index) for index, name in info.mapping.items() if name}
    # One row past the limit is enough to refuse: the rest is never read.
    rows = list(
        islice(_rows(path, info.sheet_name, info.header_row, headers, picks), MAX_ITEMS + 1)
    )
    if not rows:
        raise ImportFileError(
            _("No data rows below the header (row %(row)d).") % {"row": info.header_row}
        )
    if len(rows) > MAX_ITEMS:
        raise ImportFileError(
            _("The order has more than %(n)d rows; split it into smaller files.") % {"n": MAX_ITEMS}
        )
    for row in rows:  # a row wider than those above it widened the headers
        row.values += [""] * (len(headers) - len(row.values))
    # Columns without a heading and without any value are the sheet's empty margin.
    width = len(headers)
    while width and not headers[width - 1] and not any(r.values[width - 1] for r in rows):
        width -= 1
    for row in rows:
        del row.values[width:]
    return OrderReading(
        sheet_name=info.sheet_name,
        header_row=info.header_row,
        headers=headers[:width],
        mapping={str(index): name for name, index in picks.items()},
        rows=rows,
    )


def _rows(path, sheet_name, header_row, headers, picks) -> Iterator[OrderRow]:
    with open_workbook(path) as book:
        sheet = book.sheet(sheet_name)
        for number, cells in enumerate(sheet.rows(), start=1):
            if number <= header_row:
                continue
            texts = [cell_text(c) for c in cells]
            if not any(texts):
                continue  # a blank line
            if len(texts) > len(headers):
                headers.extend([""] * (len(texts) - len(headers)))
            texts += [""] * (len(headers) - len(texts))

            raw_birth = _at(cells, picks.get("birth_date"))
            yield OrderRow(
                row_number=number,
                values=texts,
                name=_at(texts, picks.get("name"))[:100],
                id_number=normalize_id_number(_at(texts, picks.get("id_number")))[:40],
                phone=normalize_phone(_at(texts, picks.get("phone")))[:40],
                birth_date=parse_feed_date(raw_birth) if raw_birth not in (None, "") else None,
            )


def _at(cells: list, index: int | None):
    return cells[index] if index is not None and index < len(cells) else ""
