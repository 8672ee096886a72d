"""The closure campaign's venue ledger (停业场所台账) as xlsx: every venue of the campaign
the user may see, by kind, with its licence number, address, responsible person (phone
masked), state, the day of each step and the officer. It names people, so it needs a
purpose and goes to the access log (`core.exports`). Registered in ``ready()``."""

from __future__ import annotations

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
from outpost.core.exports.xlsx import Column, LedgerSheet, export_subtitle
from outpost.core.identity import mask_phone
from outpost.core.scoping import get_visible
from outpost.publicorder import selectors
from outpost.publicorder.models import ClosureCampaign, ClosureEntry

CLOSURE_COLUMNS = [
    Column(gettext_lazy("No."), 6),  # 序号
    Column(gettext_lazy("Kind"), 12),  # 类别
    Column(gettext_lazy("Venue"), 24),  # 场所名称
    Column(gettext_lazy("Licence number"), 18, text=True),  # 许可证号
    Column(gettext_lazy("Address"), 24),  # 地址
    Column(gettext_lazy("Unit"), 12),  # 所属单位
    Column(gettext_lazy("Responsible person"), 10),  # 负责人
    Column(gettext_lazy("Phone"), 13, text=True),  # 电话
    Column(gettext_lazy("State"), 10),  # 状态
    Column(gettext_lazy("Persuaded on"), 11, text=True),
    Column(gettext_lazy("Closed on"), 11, text=True),
    Column(gettext_lazy("Inspected on"), 11, text=True),
    Column(gettext_lazy("Allowed to reopen on"), 11, text=True),
    Column(gettext_lazy("Officer"), 10),  # 民警
]
CLOSURE_FIELDS = ("responsible_person", "responsible_phone")


def _day(value) -> str:
    return value.isoformat() if value else ""


def closure_ledger(*, acting_user, campaign: ClosureCampaign, target, today) -> int:
    sheet = LedgerSheet(
        sheet_title=_("Closure ledger"),
        title=_("%(campaign)s: venues") % {"campaign": campaign.name},
        subtitle=export_subtitle(acting_user=acting_user, today=today, unmasked=False),
        columns=CLOSURE_COLUMNS,
    )
    entries = selectors.campaign_entries(user=acting_user, campaign=campaign)
    for entry in entries.iterator(chunk_size=1000):
        venue = entry.venue
        officer = getattr(entry.officer, "staff_profile", None)
        sheet.append(
            [
                sheet.rows + 1,
                venue.kind.label,
                venue.name,
                venue.licence_number,
                venue.address,
                venue.unit.name,
                venue.responsible_person,
                mask_phone(venue.responsible_phone),
                entry.get_state_display(),
                _day(entry.persuaded_on),
                _day(entry.closed_on),
                _day(entry.inspected_on),
                _day(entry.reopened_on),
                officer.display_name if officer else "",
            ]
        )
    sheet.save(target, footer=_("Total: %(count)d venues") % {"count": sheet.rows})
    return sheet.rows


class ClosureLedgerExport(ExportDefinition):
    """The venues of a closure campaign the user may see, with their states."""

    name = "publicorder.closure_ledger"
    label = gettext_lazy("Closure campaign ledger")
    model = ClosureEntry
    fields = CLOSURE_FIELDS
    masking = Masking.MASKED
    permissions = ("publicorder.view_closureentry", "publicorder.view_venue")
    permission_message = gettext_lazy("Your role may not see the closure campaigns.")

    def records(self, *, user, params: dict) -> dict:
        return {"campaign": get_visible(ClosureCampaign, user, params["campaign_id"])}

    def purpose(self, *, params: dict, records: dict, unmasked: bool) -> str:
        return _("Closure ledger: %(campaign)s") % {"campaign": records["campaign"].name}

    def facts(self, *, params: dict, records: dict) -> list[Fact]:
        return [Fact(_("Campaign"), records["campaign"].name)]

    def another_url(self, *, params: dict, records: dict) -> str:
        campaign = records.get("campaign")
        return campaign.get_absolute_url() if campaign else ""

    def write(self, *, request: ExportRequest, records: dict, target) -> Written:
        campaign = records["campaign"]
        rows = closure_ledger(
            acting_user=request.acting_user, campaign=campaign, target=target, today=request.today
        )
        filename = safe_filename(_("Closure ledger"), campaign.name, suffix="xlsx")
        return Written(rows=rows, fields=CLOSURE_FIELDS, filename=filename)


EXPORTS = [ClosureLedgerExport()]
