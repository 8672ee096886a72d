"""The contact ledger (工作台账) as xlsx: every contact with a key person of a community (or
grid) over a date range, one printable sheet laid out like the registry's ledgers (title,
who exported it, header row repeated on every printed page, A4 landscape, fit to width).

ID numbers are always masked here: the ledger is for printing and filing. The builder only
writes; `ContactLedgerExport` says what the export lists and needs, and is registered in
`KeyPersonsConfig.ready()`; scope, reason and the access log are `core.exports`'.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from outpost.core.exports.base import (
    ExportDefinition,
    ExportRequest,
    Fact,
    Masking,
    Written,
    safe_filename,
)
from outpost.core.exports.xlsx import Column, LedgerOutcome, LedgerSheet, export_subtitle
from outpost.core.identity import display_id_number, mask_id_number
from outpost.core.models import Unit
from outpost.core.scoping import get_visible
from outpost.keypersons import selectors
from outpost.keypersons.choices import ContactChannel, ContactOutcome, KeyPersonCategory
from outpost.keypersons.models import ContactEntry

CHUNK_SIZE = 2000

CONTACT_COLUMNS = [
    Column(gettext_lazy("No."), 6),  # 序号
    Column(gettext_lazy("Date and time"), 17),  # 联系时间
    Column(gettext_lazy("Key person"), 12),  # 重点人员
    Column(gettext_lazy("ID number"), 21, text=True),  # 身份证号
    Column(gettext_lazy("Category"), 16),  # 类别
    Column(gettext_lazy("Unit"), 18),  # 网格
    Column(gettext_lazy("Worker"), 12),  # 包保人员
    Column(gettext_lazy("Channel"), 10),  # 联系方式
    Column(pgettext_lazy("contact", "Outcome"), 11),  # 联系结果
    Column(gettext_lazy("Note"), 40),  # 情况记录
]
CONTACT_EXPORT_FIELDS = ("contacted_at", "key_person", "id_number", "category", "worker", "note")


def contact_ledger(
    *,
    acting_user,
    unit: Unit,
    since: datetime.date,
    until: datetime.date,
    target,
    today: datetime.date,
) -> LedgerOutcome:
    """工作台账: the contacts of the unit's key persons between two days, oldest first."""
    title = _("%(unit)s four-on-one contact ledger (%(since)s to %(until)s)") % {
        "unit": unit.name,
        "since": since.isoformat(),
        "until": until.isoformat(),
    }
    sheet = LedgerSheet(
        sheet_title=_("Contact ledger"),
        title=title,
        subtitle=export_subtitle(acting_user=acting_user, today=today, unmasked=False),
        columns=CONTACT_COLUMNS,
    )
    channels = {value: str(label) for value, label in ContactChannel.choices}
    outcomes = {value: str(label) for value, label in ContactOutcome.choices}
    categories = {value: str(label) for value, label in KeyPersonCategory.choices}
    rows = (
        selectors.contact_entries(user=acting_user, unit=unit, since=since, until=until)
        .order_by("contacted_at", "pk")
        .values(
            "contacted_at",
            "channel",
            "outcome",
            "note",
            "key_person__name",
            "key_person__id_number",
            "key_person__resident__name",
            "key_person__resident__id_number",
            "key_person__resident__document_number",
            "key_person__category",
            "key_person__unit__name",
            "worker__staff_profile__display_name",
            "worker__username",
        )
    )
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        sheet.append(
            [
                sheet.rows + 1,
                timezone.localtime(row["contacted_at"]).strftime("%Y-%m-%d %H:%M"),
                row["key_person__resident__name"] or row["key_person__name"],
                mask_id_number(
                    display_id_number(
                        id_number=row["key_person__resident__id_number"],
                        document_number=row["key_person__resident__document_number"],
                        own_number=row["key_person__id_number"],
                    )
                ),
                categories.get(row["key_person__category"], ""),
                row["key_person__unit__name"],
                row["worker__staff_profile__display_name"] or row["worker__username"],
                channels.get(row["channel"], ""),
                outcomes.get(row["outcome"], ""),
                row["note"],
            ]
        )
    sheet.save(target, footer=_("Total: %(count)d contacts") % {"count": sheet.rows})
    return LedgerOutcome(rows=sheet.rows, fields=CONTACT_EXPORT_FIELDS)


class ContactLedgerExport(ExportDefinition):
    """The contact ledger of a community or grid of the user's scope over a date range."""

    name = "keypersons.contact_ledger"
    label = gettext_lazy("Contact ledger")
    model = ContactEntry
    fields = CONTACT_EXPORT_FIELDS
    masking = Masking.MASKED
    permissions = ("keypersons.view_contactentry",)
    permission_message = gettext_lazy("Your role may not see the contact log.")
    form_url_name = "keypersons:ledger"

    def records(self, *, user, params: dict) -> dict:
        return {"unit": get_visible(Unit, user, params["unit_id"])}

    def clean(self, *, params: dict, records: dict) -> None:
        if params["since"] > params["until"]:  # ISO dates compare as days
            raise ValidationError({"until": _("The end cannot be before the start.")})

    def purpose(self, *, params: dict, records: dict, unmasked: bool) -> str:
        return _("Contact ledger: %(unit)s, %(since)s to %(until)s, masked") % {
            "unit": records["unit"].name,
            "since": params["since"],
            "until": params["until"],
        }

    def facts(self, *, params: dict, records: dict) -> list[Fact]:
        return [
            Fact(_("Unit"), records["unit"].name),
            Fact(_("Days"), f"{params['since']} – {params['until']}"),
        ]

    def write(self, *, request: ExportRequest, records: dict, target) -> Written:
        params = request.params
        outcome = contact_ledger(
            acting_user=request.acting_user,
            unit=records["unit"],
            since=datetime.date.fromisoformat(params["since"]),
            until=datetime.date.fromisoformat(params["until"]),
            target=target,
            today=request.today,
        )
        filename = safe_filename(
            _("Contact ledger"),
            records["unit"].name,
            params["since"],
            params["until"],
            suffix="xlsx",
        )
        return Written(rows=outcome.rows, fields=outcome.fields, filename=filename)


EXPORTS = [ContactLedgerExport()]
