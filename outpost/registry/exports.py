"""Ledgers (台账) as xlsx: households and residents of a unit, a campaign's progress by grid.

Each ledger is one printable sheet: a title row naming the unit and the day, a line saying
who exported it and whether numbers are masked, the header row (frozen, repeated on every
printed page), then the rows and a total. Workbooks are written in openpyxl's write-only
mode, streaming rows from the database, so the whole station (116,782 residents) needs
little memory. ID numbers, phones and household numbers are text cells (number format
``@``): Excel never turns them into numbers and loses digits.

Masked by default (DESIGN rule 2): ID and document numbers, phones, the address after the
building and the day and month of birth. The builders only write; permission, scope and
the access log are `services.ledger_export`'s.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from outpost.core.masking import mask_address, mask_birth_date, mask_id_number, mask_phone
from outpost.core.models import Unit
from outpost.registry.choices import DocumentType, RelationToHead, ResidenceType, Sex
from outpost.registry.selectors import (
    campaign_progress_by_grid,
    household_ledger,
    resident_ledger,
)

TEXT = "@"
CHUNK_SIZE = 2000
HEADER_ROW = 3


class LedgerKind(models.TextChoices):
    """The ledgers one can export."""

    RESIDENTS = "residents", gettext_lazy("Residents ledger")  # 居民台账
    HOUSEHOLDS = "households", gettext_lazy("Households ledger")  # 户籍台账
    CAMPAIGN_PROGRESS = "campaign_progress", gettext_lazy("Visit progress by grid")  # 入户排查进度


@dataclass(frozen=True)
class Column:
    heading: Promise
    width: float
    text: bool = False  # a text cell: numbers that must stay text (IDs, phones, house numbers)


@dataclass(frozen=True)
class LedgerOutcome:
    rows: int
    fields: tuple[str, ...]  # the personal-data fields written, for the access log


class LedgerSheet:
    """A write-only worksheet laid out for printing on A4 landscape."""

    def __init__(self, *, sheet_title: str, title: str, subtitle: str, columns: list[Column]):
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(sheet_title[:31])
        self.columns = columns
        self.rows = 0
        self._text_cells = {i for i, column in enumerate(columns) if column.text}
        self._setup(self.sheet)
        self._append_styled(title, Font(bold=True, size=16), Alignment(horizontal="center"))
        self._append_styled(subtitle, Font(size=10, color="555555"), Alignment(horizontal="left"))
        self.sheet.append([self._header_cell(column) for column in columns])

    def _setup(self, sheet: Worksheet) -> None:
        # Column widths and frozen panes are written before the first row.
        for index, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        last = get_column_letter(len(self.columns))
        sheet.merged_cells.add(f"A1:{last}1")
        sheet.merged_cells.add(f"A2:{last}2")
        sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.gridLines = True
        sheet.print_options.horizontalCentered = True
        sheet.page_margins.left = sheet.page_margins.right = 0.4
        sheet.page_margins.top = sheet.page_margins.bottom = 0.5

    def _append_styled(self, value: str, font: Font, alignment: Alignment) -> None:
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.font = font
        cell.alignment = alignment
        self.sheet.append([cell])

    def _header_cell(self, column: Column) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=str(column.heading))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=Side(style="thin"))
        return cell

    def append(self, values: list) -> None:
        # Blank values are left out (no cell at all): most of the cost is per cell written.
        row = [None if value == "" else value for value in values]
        for index in self._text_cells:
            if row[index] is not None:
                cell = WriteOnlyCell(self.sheet, value=str(row[index]))
                cell.number_format = TEXT
                row[index] = cell
        self.sheet.append(row)
        self.rows += 1

    def save(self, path: Path, *, footer: str) -> None:
        if footer:
            self._append_styled(footer, Font(bold=True), Alignment(horizontal="left"))
        self.workbook.save(path)


def _subtitle(*, acting_user, today: datetime.date, unmasked: bool | None) -> str:
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


def _title(unit_name: str, ledger: str, today: datetime.date) -> str:
    return f"{unit_name} {ledger}（{today.isoformat()}）"


def _birth(value: datetime.date | None, unmasked: bool) -> str:
    if value is None:
        return ""
    return value.isoformat() if unmasked else mask_birth_date(value)


def _address(row: dict, prefix: str, unmasked: bool) -> str:
    street, building = row[f"{prefix}street"], row[f"{prefix}building"]
    if street is None:
        return ""
    if not unmasked:
        return mask_address(street=street, building=building)
    entrance = row[f"{prefix}entrance"]
    entrance = f"{entrance}单元" if entrance else ""
    return f"{street}{building}号{entrance}{row[f'{prefix}room']}室"


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


# ---------------------------------------------------------------------------- residents

RESIDENT_COLUMNS = [
    Column(gettext_lazy("No."), 7),  # 序号
    Column(gettext_lazy("Name"), 12),  # 姓名
    Column(gettext_lazy("Sex"), 6),  # 性别
    Column(gettext_lazy("Birth date"), 12),  # 出生日期
    Column(gettext_lazy("Document type"), 14),  # 证件类型
    Column(gettext_lazy("ID number"), 22, text=True),  # 身份证号
    Column(gettext_lazy("Phone"), 15, text=True),  # 联系电话
    Column(gettext_lazy("Household number"), 21, text=True),  # 户号
    Column(gettext_lazy("Address"), 30),  # 住址
    Column(gettext_lazy("Relation to head"), 12),  # 与户主关系
    Column(gettext_lazy("Residence type"), 12),  # 人口类型
    Column(gettext_lazy("Workplace"), 24),  # 工作单位
    Column(gettext_lazy("Grid"), 18),  # 网格
]
RESIDENT_EXPORT_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "document_type",
    "id_number",
    "document_number",
    "phone",
    "household",
    "address",
    "relation_to_head",
    "residence_type",
    "workplace",
    "unit",
)


def residents_ledger(
    *, acting_user, unit: Unit, unmasked: bool, path: Path, today: datetime.date
) -> LedgerOutcome:
    """户籍/居民台账: every active resident of the unit, one row each."""
    sheet = LedgerSheet(
        sheet_title=_("Residents"),
        title=_title(unit.name, LedgerKind.RESIDENTS.label, today),
        subtitle=_subtitle(acting_user=acting_user, today=today, unmasked=unmasked),
        columns=RESIDENT_COLUMNS,
    )
    sexes, documents = _labels(Sex), _labels(DocumentType)
    relations, residence = _labels(RelationToHead), _labels(ResidenceType)
    id_shown = (lambda v: v) if unmasked else mask_id_number
    phone_shown = (lambda v: v) if unmasked else mask_phone
    for row in resident_ledger(user=acting_user, unit=unit).iterator(chunk_size=CHUNK_SIZE):
        sheet.append(
            [
                sheet.rows + 1,
                row["name"],
                sexes.get(row["sex"], ""),
                _birth(row["birth_date"], unmasked),
                documents.get(row["document_type"], ""),
                id_shown(row["id_number"] or row["document_number"]),
                phone_shown(row["phone"]),
                row["household__household_number"] or "",
                _address(row, "household__", unmasked),
                relations.get(row["relation_to_head"], ""),
                residence.get(row["residence_type"], ""),
                row["workplace"],
                row["unit__name"],
            ]
        )
    sheet.save(path, footer=_("Total: %(count)d residents") % {"count": sheet.rows})
    return LedgerOutcome(rows=sheet.rows, fields=RESIDENT_EXPORT_FIELDS)


# ---------------------------------------------------------------------------- households

HOUSEHOLD_COLUMNS = [
    Column(gettext_lazy("No."), 7),  # 序号
    Column(gettext_lazy("Household number"), 21, text=True),  # 户号
    Column(gettext_lazy("Address"), 32),  # 住址
    Column(gettext_lazy("Head of household"), 12),  # 户主
    Column(gettext_lazy("Members"), 8),  # 人数
    Column(gettext_lazy("Phone"), 15, text=True),  # 联系电话
    Column(gettext_lazy("Rented out"), 10),  # 出租房屋
    Column(gettext_lazy("Grid"), 18),  # 网格
]
HOUSEHOLD_EXPORT_FIELDS = (
    "household_number",
    "address",
    "head_name",
    "member_count",
    "phone",
    "is_rental",
    "unit",
)


def households_ledger(
    *, acting_user, unit: Unit, unmasked: bool, path: Path, today: datetime.date
) -> LedgerOutcome:
    """户台账: every household of the unit, with its head and number of members."""
    sheet = LedgerSheet(
        sheet_title=_("Households"),
        title=_title(unit.name, LedgerKind.HOUSEHOLDS.label, today),
        subtitle=_subtitle(acting_user=acting_user, today=today, unmasked=unmasked),
        columns=HOUSEHOLD_COLUMNS,
    )
    yes, no = _("Yes"), _("No")
    phone_shown = (lambda v: v) if unmasked else mask_phone
    for row in household_ledger(user=acting_user, unit=unit).iterator(chunk_size=CHUNK_SIZE):
        sheet.append(
            [
                sheet.rows + 1,
                row["household_number"],
                _address(row, "", unmasked),
                row["head_name"] or "",
                row["member_count"],
                phone_shown(row["phone"]),
                yes if row["is_rental"] else no,
                row["unit__name"],
            ]
        )
    sheet.save(path, footer=_("Total: %(count)d households") % {"count": sheet.rows})
    return LedgerOutcome(rows=sheet.rows, fields=HOUSEHOLD_EXPORT_FIELDS)


# ---------------------------------------------------------------------------- campaign progress

PROGRESS_COLUMNS = [
    Column(gettext_lazy("No."), 7),  # 序号
    Column(gettext_lazy("Community"), 18),  # 社区
    Column(gettext_lazy("Grid"), 20),  # 网格
    Column(gettext_lazy("Households"), 10),  # 户数
    Column(gettext_lazy("Visited"), 10),  # 已走访
    Column(gettext_lazy("To visit"), 10),  # 未走访
    Column(gettext_lazy("Visited (%)"), 10),  # 走访率
    Column(gettext_lazy("Nobody home"), 10),  # 无人在家
    Column(gettext_lazy("Persons screened"), 12),  # 已排查人数
]


def campaign_progress_ledger(
    *, acting_user, campaign, unit: Unit, path: Path, today: datetime.date
) -> LedgerOutcome:
    """入户排查进度表: households total and visited, persons screened, per grid."""
    sheet = LedgerSheet(
        sheet_title=_("Visit progress"),
        title=_title(unit.name, f"{campaign.name} {LedgerKind.CAMPAIGN_PROGRESS.label}", today),
        subtitle=_subtitle(acting_user=acting_user, today=today, unmasked=None),
        columns=PROGRESS_COLUMNS,
    )
    totals = {"households": 0, "visited": 0, "screened": 0}
    for line in campaign_progress_by_grid(user=acting_user, campaign=campaign, base=unit):
        row = line.row
        sheet.append(
            [
                sheet.rows + 1,
                line.community,
                row.name,
                row.households,
                row.visited,
                row.to_visit,
                row.percent,
                row.nobody_home,
                row.persons_screened,
            ]
        )
        totals["households"] += row.households
        totals["visited"] += row.visited
        totals["screened"] += row.persons_screened
    footer = _(
        "Total: %(grids)d grids, %(visited)d of %(households)d households visited, "
        "%(screened)d persons screened"
    ) % {"grids": sheet.rows, **totals}
    sheet.save(path, footer=footer)
    return LedgerOutcome(rows=sheet.rows, fields=())


def export_filename(*, kind_label: str, unit_name: str, today: datetime.date) -> str:
    safe = "".join(ch for ch in unit_name if ch not in '\\/:*?"<>|').strip() or "export"
    return f"{kind_label}-{safe}-{today.isoformat()}.xlsx"
