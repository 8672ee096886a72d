"""The donations ledger (捐赠物资台账) as xlsx: every movement in and out of a store (and
the stores below it) over a date range, laid out for printing like the other ledgers.

The ledger names donors and the people who signed for supplies: personal data, so the
export needs a purpose and is written to the access log (`core.exports`); donors' phones
are never written. Registered in the app's ``ready()``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
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
from outpost.core.models import Unit
from outpost.core.scoping import get_visible
from outpost.enterprises.supplies import selectors
from outpost.enterprises.supplies.choices import Direction
from outpost.enterprises.supplies.models import LedgerLine

CHUNK_SIZE = 2000

LEDGER_COLUMNS = [
    Column(gettext_lazy("No."), 6),  # 序号
    Column(gettext_lazy("Date and time"), 17),  # 日期时间
    Column(gettext_lazy("Store"), 16),  # 库点
    Column(gettext_lazy("Item"), 14),  # 物资
    Column(gettext_lazy("Unit of measure"), 8),  # 单位
    Column(gettext_lazy("In"), 10),  # 入库
    Column(gettext_lazy("Out"), 10),  # 出库
    Column(gettext_lazy("On hand after"), 10),  # 结存
    Column(gettext_lazy("Donor or recipient"), 24),  # 捐赠方/领用方
    Column(gettext_lazy("Request"), 12, text=True),  # 诉求编号
    Column(gettext_lazy("Signed for by"), 12),  # 签收人
    Column(gettext_lazy("Handled by"), 12),  # 经办人
    Column(gettext_lazy("Voucher"), 12, text=True),  # 单号
]
LEDGER_EXPORT_FIELDS = ("donor", "signed_for_by")


def supplies_ledger(
    *,
    acting_user,
    unit: Unit,
    since: datetime.date,
    until: datetime.date,
    target,
    today: datetime.date,
) -> LedgerOutcome:
    """物资台账: the movements of the unit's stores between two days, oldest first."""
    title = _("%(unit)s donated supplies ledger (%(since)s to %(until)s)") % {
        "unit": unit.name,
        "since": since.isoformat(),
        "until": until.isoformat(),
    }
    sheet = LedgerSheet(
        sheet_title=_("Supplies ledger"),
        title=title,
        subtitle=export_subtitle(acting_user=acting_user, today=today, unmasked=False),
        columns=LEDGER_COLUMNS,
    )
    lines = selectors.ledger_list(user=acting_user, unit=unit, since=since, until=until).order_by(
        "at", "pk"
    )
    for line in lines.iterator(chunk_size=CHUNK_SIZE):
        incoming = line.direction == Direction.IN
        if incoming:
            party, voucher, signed, request = (
                line.donation.donor.name,
                line.donation.reference,
                "",
                "",
            )
        else:
            distribution = line.distribution
            party = distribution.recipient_name
            voucher, signed = distribution.reference, distribution.signed_for_by
            request = distribution.request.reference if distribution.request_id else ""
        by = getattr(line.by, "staff_profile", None)
        sheet.append(
            [
                sheet.rows + 1,
                timezone.localtime(line.at).strftime("%Y-%m-%d %H:%M"),
                line.unit.name,
                line.item.label,
                line.item.measure,
                line.quantity if incoming else None,
                None if incoming else line.quantity,
                line.balance,
                party,
                request,
                signed,
                by.display_name if by else line.by.username,
                voucher,
            ]
        )
    sheet.save(target, footer=_("Total: %(count)d movements") % {"count": sheet.rows})
    return LedgerOutcome(rows=sheet.rows, fields=LEDGER_EXPORT_FIELDS)


class SuppliesLedgerExport(ExportDefinition):
    """The donations ledger of a store of the user's scope over a date range."""

    name = "enterprises.supplies_ledger"
    label = gettext_lazy("Donated supplies ledger")
    model = LedgerLine
    fields = LEDGER_EXPORT_FIELDS
    masking = Masking.MASKED
    permissions = ("enterprises.view_ledgerline",)
    permission_message = gettext_lazy("Your role may not see the supplies ledger.")
    form_url_name = "supplies:ledger_export"

    def records(self, *, user, params: dict) -> dict:
        return {"unit": get_visible(Unit, user, params["unit_id"])}

    def clean(self, *, params: dict, records: dict) -> None:
        if params["since"] > params["until"]:
            raise ValidationError({"until": _("The end cannot be before the start.")})

    def purpose(self, *, params: dict, records: dict, unmasked: bool) -> str:
        return _("Supplies ledger: %(unit)s, %(since)s to %(until)s") % {
            "unit": records["unit"].name,
            "since": params["since"],
            "until": params["until"],
        }

    def facts(self, *, params: dict, records: dict) -> list[Fact]:
        return [
            Fact(_("Store"), records["unit"].name),
            Fact(_("Days"), f"{params['since']} – {params['until']}"),
        ]

    def write(self, *, request: ExportRequest, records: dict, target) -> Written:
        params = request.params
        outcome = supplies_ledger(
            acting_user=request.acting_user,
            unit=records["unit"],
            since=datetime.date.fromisoformat(params["since"]),
            until=datetime.date.fromisoformat(params["until"]),
            target=target,
            today=request.today,
        )
        filename = safe_filename(
            _("Supplies ledger"),
            records["unit"].name,
            params["since"],
            params["until"],
            suffix="xlsx",
        )
        return Written(rows=outcome.rows, fields=outcome.fields, filename=filename)


EXPORTS = [SuppliesLedgerExport()]
