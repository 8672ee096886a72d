"""Ledgers (台账) as xlsx: households and residents of a unit, a campaign's progress by grid.

Each ledger is one printable sheet of the shared writer (`core.exports.xlsx.LedgerSheet`),
streaming rows from the database, so the whole station (116,782 residents) needs little
memory. ID numbers, phones and household numbers are text cells: Excel never turns them
into numbers and loses digits, and free text (a workplace) is never a formula.

Masked by default (DESIGN rule 2): ID and document numbers, phones, the address after the
building and the day and month of birth. The builders only write; the definitions at the
end say what each export lists, its masking and permissions, and are registered in
`RegistryConfig.ready()`; scope, reason and the access log are `core.exports`'.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.exports.base import (
    ExportDefinition,
    ExportRequest,
    Fact,
    Masking,
    Written,
    safe_filename,
)
from outpost.core.exports.xlsx import Column, LedgerOutcome, LedgerSheet, export_subtitle
from outpost.core.identity import (
    display_id_number,
    household_address_masked,
    mask_id_number,
    mask_phone,
)
from outpost.core.masking import mask_birth_date
from outpost.core.models import Unit
from outpost.core.scoping import get_visible
from outpost.registry.choices import DocumentType, RelationToHead, ResidenceType, Sex
from outpost.registry.models import Campaign, Household, Resident
from outpost.registry.selectors import (
    campaign_progress_by_grid,
    household_ledger,
    resident_ledger,
)

CHUNK_SIZE = 2000


class LedgerKind(models.TextChoices):
    """The ledgers one can export."""

    RESIDENTS = "residents", gettext_lazy("Residents ledger")  # 居民台账
    HOUSEHOLDS = "households", gettext_lazy("Households ledger")  # 户籍台账
    CAMPAIGN_PROGRESS = "campaign_progress", gettext_lazy("Visit progress by grid")  # 入户排查进度


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
        return household_address_masked(street=street, building=building)
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
    *, acting_user, unit: Unit, unmasked: bool, target, today: datetime.date
) -> LedgerOutcome:
    """户籍/居民台账: every active resident of the unit, one row each."""
    sheet = LedgerSheet(
        sheet_title=_("Residents"),
        title=_title(unit.name, LedgerKind.RESIDENTS.label, today),
        subtitle=export_subtitle(acting_user=acting_user, today=today, unmasked=unmasked),
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
                id_shown(
                    display_id_number(
                        id_number=row["id_number"], document_number=row["document_number"]
                    )
                ),
                phone_shown(row["phone"]),
                row["household__household_number"] or "",
                _address(row, "household__", unmasked),
                relations.get(row["relation_to_head"], ""),
                residence.get(row["residence_type"], ""),
                row["workplace"],
                row["unit__name"],
            ]
        )
    sheet.save(target, footer=_("Total: %(count)d residents") % {"count": sheet.rows})
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
    *, acting_user, unit: Unit, unmasked: bool, target, today: datetime.date
) -> LedgerOutcome:
    """户台账: every household of the unit, with its head and number of members."""
    sheet = LedgerSheet(
        sheet_title=_("Households"),
        title=_title(unit.name, LedgerKind.HOUSEHOLDS.label, today),
        subtitle=export_subtitle(acting_user=acting_user, today=today, unmasked=unmasked),
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
    sheet.save(target, footer=_("Total: %(count)d households") % {"count": sheet.rows})
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
    *, acting_user, campaign, unit: Unit, target, today: datetime.date
) -> LedgerOutcome:
    """入户排查进度表: households total and visited, persons screened, per grid."""
    sheet = LedgerSheet(
        sheet_title=_("Visit progress"),
        title=_title(unit.name, f"{campaign.name} {LedgerKind.CAMPAIGN_PROGRESS.label}", today),
        subtitle=export_subtitle(acting_user=acting_user, today=today, unmasked=None),
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
    sheet.save(target, footer=footer)
    return LedgerOutcome(rows=sheet.rows, fields=())


# ---------------------------------------------------------------------------- definitions


class _UnitLedger(ExportDefinition):
    """A ledger of one unit of the user's scope."""

    form_url_name = "registry:export"

    def records(self, *, user, params: dict) -> dict:
        return {"unit": get_visible(Unit, user, params["unit_id"])}

    def facts(self, *, params: dict, records: dict) -> list[Fact]:
        return [Fact(_("Unit"), records["unit"].name)]

    def filename(self, request: ExportRequest, records: dict) -> str:
        return safe_filename(
            str(self.label), records["unit"].name, request.today.isoformat(), suffix="xlsx"
        )


class _PersonalLedger(_UnitLedger):
    masking = Masking.OPTIONAL
    permission_message = gettext_lazy("Your role may not see these records.")
    build = None

    def purpose(self, *, params: dict, records: dict, unmasked: bool) -> str:
        return _("%(ledger)s: %(unit)s, %(masking)s") % {
            "ledger": self.label,
            "unit": records["unit"].name,
            "masking": _("unmasked") if unmasked else _("masked"),
        }

    def write(self, *, request: ExportRequest, records: dict, target) -> Written:
        outcome = type(self).build(
            acting_user=request.acting_user,
            unit=records["unit"],
            unmasked=request.unmasked,
            target=target,
            today=request.today,
        )
        return Written(
            rows=outcome.rows, fields=outcome.fields, filename=self.filename(request, records)
        )


class ResidentsLedgerExport(_PersonalLedger):
    name = "registry.residents"
    label = LedgerKind.RESIDENTS.label
    fields = RESIDENT_EXPORT_FIELDS
    permissions = ("registry.view_resident",)
    model = Resident
    build = staticmethod(residents_ledger)


class HouseholdsLedgerExport(_PersonalLedger):
    name = "registry.households"
    label = LedgerKind.HOUSEHOLDS.label
    fields = HOUSEHOLD_EXPORT_FIELDS
    permissions = ("registry.view_household",)
    model = Household
    build = staticmethod(households_ledger)


class CampaignProgressExport(_UnitLedger):
    """Counts only: no reason, no access-log row."""

    name = "registry.campaign_progress"
    label = LedgerKind.CAMPAIGN_PROGRESS.label
    permissions = ("registry.view_campaign",)

    def records(self, *, user, params: dict) -> dict:
        return {
            **super().records(user=user, params=params),
            "campaign": get_visible(Campaign, user, params["campaign_id"]),
        }

    def facts(self, *, params: dict, records: dict) -> list[Fact]:
        return [
            Fact(_("Campaign"), records["campaign"].name),
            *super().facts(params=params, records=records),
        ]

    def write(self, *, request: ExportRequest, records: dict, target) -> Written:
        outcome = campaign_progress_ledger(
            acting_user=request.acting_user,
            campaign=records["campaign"],
            unit=records["unit"],
            target=target,
            today=request.today,
        )
        return Written(rows=outcome.rows, filename=self.filename(request, records))


# The export of each ledger kind (the form's choice).
EXPORT_OF_KIND = {
    LedgerKind.RESIDENTS: ResidentsLedgerExport(),
    LedgerKind.HOUSEHOLDS: HouseholdsLedgerExport(),
    LedgerKind.CAMPAIGN_PROGRESS: CampaignProgressExport(),
}
EXPORTS = list(EXPORT_OF_KIND.values())
