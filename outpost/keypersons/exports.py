"""The contact ledger (工作台账) as xlsx: every contact with a key person of a community (or
grid) over a date range, one printable sheet laid out like the registry's ledgers (title,
who exported it, header row repeated on every printed page, A4 landscape, fit to width).

ID numbers are always masked here: the ledger is for printing and filing. The builder only
writes; permission, scope and the access log are `services.contact_ledger_export`'s.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.masking import mask_id_number
from outpost.core.models import Unit
from outpost.keypersons import selectors
from outpost.keypersons.choices import ContactChannel, ContactOutcome, KeyPersonCategory
from outpost.registry.exports import CHUNK_SIZE, Column, LedgerOutcome, LedgerSheet, _subtitle

CONTACT_COLUMNS = [
    Column(gettext_lazy("No."), 6),  # 序号
    Column(gettext_lazy("Date and time"), 17),  # 联系时间
    Column(gettext_lazy("Key person"), 12),  # 重点人员
    Column(gettext_lazy("ID number"), 21, text=True),  # 身份证号
    Column(gettext_lazy("Category"), 16),  # 类别
    Column(gettext_lazy("Unit"), 18),  # 网格
    Column(gettext_lazy("Worker"), 12),  # 包保人员
    Column(gettext_lazy("Channel"), 10),  # 联系方式
    Column(gettext_lazy("Outcome"), 11),  # 联系结果
    Column(gettext_lazy("Note"), 40),  # 情况记录
]
CONTACT_EXPORT_FIELDS = ("contacted_at", "key_person", "id_number", "category", "worker", "note")


def contact_ledger(
    *,
    acting_user,
    unit: Unit,
    since: datetime.date,
    until: datetime.date,
    path: Path,
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
        subtitle=_subtitle(acting_user=acting_user, today=today, unmasked=False),
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
                    row["key_person__resident__id_number"] or row["key_person__id_number"] or ""
                ),
                categories.get(row["key_person__category"], ""),
                row["key_person__unit__name"],
                row["worker__staff_profile__display_name"] or row["worker__username"],
                channels.get(row["channel"], ""),
                outcomes.get(row["outcome"], ""),
                row["note"],
            ]
        )
    sheet.save(path, footer=_("Total: %(count)d contacts") % {"count": sheet.rows})
    return LedgerOutcome(rows=sheet.rows, fields=CONTACT_EXPORT_FIELDS)
