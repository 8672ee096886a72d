"""The case ledger (案件台账, xlsx) and the seized-items ledger (扣押物品清单, PDF), both
through core's one export path: a purpose, the access log, the user's own download.

The case ledger names parties: their ID numbers are always masked. The seized-items
ledger names the officers who held the goods, and prints with the classification and the
sign-off block like the daily report."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.cases import selectors
from outpost.cases.models import Case, SeizedItem
from outpost.core.exports.base import (
    ExportDefinition,
    ExportRequest,
    Fact,
    Masking,
    Written,
    safe_filename,
)
from outpost.core.exports.xlsx import Column, LedgerSheet, export_subtitle
from outpost.core.models import Unit
from outpost.core.printing import print_context
from outpost.core.scoping import get_visible

CASE_LEDGER_COLUMNS = [
    Column(gettext_lazy("No."), 6),
    Column(gettext_lazy("Case number"), 16, text=True),
    Column(gettext_lazy("Date"), 11),
    Column(gettext_lazy("Kind"), 16),
    Column(gettext_lazy("Unit"), 14),
    Column(gettext_lazy("State"), 9),
    Column(gettext_lazy("Parties"), 34, text=True),
    Column(gettext_lazy("Measures"), 40),
    Column(gettext_lazy("Items seized"), 30),
    Column(gettext_lazy("Summary"), 40),
]
CASE_LEDGER_FIELDS = ("name", "id_number", "summary")


def _period_records(user, params: dict) -> dict:
    return {"unit": get_visible(Unit, user, params["unit_id"])}


def _period_clean(params: dict) -> None:
    if params["since"] > params["until"]:
        raise ValidationError({"until": _("The end cannot be before the start.")})


def _days(params: dict) -> tuple[datetime.date, datetime.date]:
    return (
        datetime.date.fromisoformat(params["since"]),
        datetime.date.fromisoformat(params["until"]),
    )


def measure_text(measure) -> str:
    """One measure in words, with the engine's dates (e.g. 行政拘留15日，暂缓执行30日…)."""
    text = measure.get_kind_display()
    plan = measure.plan
    if plan is not None:
        text += _(" %(days)d days, %(start)s to %(end)s") % {
            "days": plan.days,
            "start": plan.starts_on.isoformat(),
            "end": plan.ends_on.isoformat(),
        }
        if plan.deferred:
            text += _(" (deferred %(days)d days to %(until)s: %(reason)s)") % {
                "days": measure.deferral_days,
                "until": plan.deferral_until.isoformat(),
                "reason": measure.deferral_reason,
            }
    if measure.fine_amount is not None:
        text += _(" %(amount)s yuan, %(paid)s") % {
            "amount": f"{measure.fine_amount:,.2f}",
            "paid": _("paid") if measure.fine_paid else _("not paid"),
        }
    if measure.transferred_to:
        text += f" → {measure.transferred_to}"
    return text


class CaseLedgerExport(ExportDefinition):
    """The case ledger of a unit of the user's scope over days (by the case's date)."""

    name = "cases.case_ledger"
    label = gettext_lazy("Case ledger")
    model = Case
    fields = CASE_LEDGER_FIELDS
    masking = Masking.MASKED
    permissions = ("cases.view_case",)
    permission_message = gettext_lazy("Your role may not see the case ledger.")
    form_url_name = "cases:ledger_export"

    def records(self, *, user, params: dict) -> dict:
        return _period_records(user, params)

    def clean(self, *, params: dict, records: dict) -> None:
        _period_clean(params)

    def purpose(self, *, params: dict, records: dict, unmasked: bool) -> str:
        return _("Case ledger: %(unit)s, %(since)s to %(until)s") % {
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
        since, until = _days(request.params)
        unit = records["unit"]
        sheet = LedgerSheet(
            sheet_title=_("Case ledger"),
            title=_("%(unit)s case ledger (%(since)s to %(until)s)")
            % {"unit": unit.name, "since": since.isoformat(), "until": until.isoformat()},
            subtitle=export_subtitle(
                acting_user=request.acting_user, today=request.today, unmasked=False
            ),
            columns=CASE_LEDGER_COLUMNS,
        )
        cases = (
            selectors.case_list(user=request.acting_user, unit=unit, since=since, until=until)
            .prefetch_related("parties", "measures", "items")
            .order_by("occurred_on", "pk")
        )
        for case in cases:
            sheet.append(
                [
                    sheet.rows + 1,
                    case.number,
                    case.occurred_on.isoformat(),
                    case.get_kind_display(),
                    case.unit.name,
                    case.get_state_display(),
                    "\n".join(f"{p.name} {p.number_shown}" for p in case.parties.all()),
                    "\n".join(measure_text(m) for m in case.measures.all()),
                    "\n".join(
                        f"{i.description} {i.quantity.normalize():f} {i.get_measure_display()}"
                        for i in case.items.all()
                    ),
                    case.summary,
                ]
            )
        sheet.save(target, footer=_("Total: %(count)d cases") % {"count": sheet.rows})
        filename = safe_filename(
            _("Case ledger"),
            unit.name,
            request.params["since"],
            request.params["until"],
            suffix="xlsx",
        )
        return Written(rows=sheet.rows, fields=CASE_LEDGER_FIELDS, filename=filename)


def seized_items_context(*, user, unit, since, until) -> dict:
    items = list(
        selectors.item_list(user=user, unit=unit, since=since, until=until)
        .select_related("case__unit")
        .order_by("case__occurred_on", "case__number", "pk")
    )
    return {
        "unit": unit,
        "since": since,
        "until": until,
        "items": items,
        "printed_at": timezone.localtime(),
        **print_context(acting_user=user),
    }


class SeizedItemsLedgerExport(ExportDefinition):
    """The seized-items ledger of a unit over days, as an A4 PDF."""

    name = "cases.seized_items"
    label = gettext_lazy("Seized-items ledger")
    model = SeizedItem
    fields = ("holder",)
    masking = Masking.MASKED
    permissions = ("cases.view_seizeditem",)
    permission_message = gettext_lazy("Your role may not see the seized items.")
    form_url_name = "cases:items_export"

    def file_format(self, params: dict) -> str:
        return "pdf"

    def records(self, *, user, params: dict) -> dict:
        return _period_records(user, params)

    def clean(self, *, params: dict, records: dict) -> None:
        _period_clean(params)

    def purpose(self, *, params: dict, records: dict, unmasked: bool) -> str:
        return _("Seized-items ledger: %(unit)s, %(since)s to %(until)s") % {
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
        from weasyprint import HTML  # loads Pango and fonts: only when a PDF is written

        since, until = _days(request.params)
        context = seized_items_context(
            user=request.acting_user, unit=records["unit"], since=since, until=until
        )
        html = render_to_string("cases/seized_items_print.html", {**context, "pdf": True})
        target.write(HTML(string=html).write_pdf())
        filename = safe_filename(
            _("Seized-items ledger"),
            records["unit"].name,
            request.params["since"],
            request.params["until"],
            suffix="pdf",
        )
        return Written(rows=len(context["items"]), fields=("holder",), filename=filename)


EXPORTS = [CaseLedgerExport(), SeizedItemsLedgerExport()]
