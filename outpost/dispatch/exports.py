"""The feedback workbook (核查反馈表) of a dispatch order, as xlsx.

The incoming list goes back up as it came — its own columns in their order, every row,
values as sent — with the result columns added at the right. All cells are text cells
(number format ``@``) of the shared writer, so ID numbers and phones keep every digit and a
value or result note starting with ``=`` is never a formula. `FeedbackExport` says what the
export lists and needs (registered in `DispatchConfig.ready()`); scope, reason and the
access log are `core.exports`'.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font, PatternFill

from outpost.core.exports.base import (
    ExportDefinition,
    ExportRequest,
    Fact,
    Masking,
    Written,
    filename_part,
)
from outpost.core.exports.xlsx import XlsxBook
from outpost.core.scoping import get_visible
from outpost.dispatch.models import DispatchItem, DispatchOrder


def result_headings() -> list[str]:
    return [_("Result"), _("Moved to"), _("Note"), _("Verified at"), _("Verified by")]


def _result_values(item) -> list[str]:
    by = ""
    if item.recorded_by_id:
        profile = getattr(item.recorded_by, "staff_profile", None)
        by = str(profile or item.recorded_by)
    verified = (
        timezone.localtime(item.result_at).strftime("%Y-%m-%d %H:%M") if item.result_at else ""
    )
    return [
        item.get_result_display() if item.result else _("Not verified yet"),
        item.moved_to,
        item.result_note,
        verified,
        by,
    ]


def feedback_workbook(*, order, items, target) -> None:
    book = XlsxBook()
    sheet = book.sheet(order.sheet_name or "Sheet1")
    bold = Font(bold=True)
    added = PatternFill("solid", fgColor="FFF2CC")
    width = len(order.headers)
    sheet.worksheet.freeze_panes = "A2"
    sheet.append(
        [sheet.cell(heading, font=bold) for heading in order.headers]
        + [sheet.cell(heading, font=bold, fill=added) for heading in result_headings()]
    )
    for item in items:
        values = list(item.values[:width]) + [""] * (width - len(item.values))
        sheet.append(
            [
                sheet.cell("" if value is None else value, text=True)
                for value in [*values, *_result_values(item)]
            ]
        )
    book.save(target)


def feedback_filename(order) -> str:
    number = "_".join(filename_part(order.order_number).split()) or str(order.pk)
    return _("feedback-%(number)s-%(day)s.xlsx") % {
        "number": number,
        "day": timezone.localdate().isoformat(),
    }


class FeedbackExport(ExportDefinition):
    """The feedback workbook of an order: the higher level's own list going back, in full."""

    name = "dispatch.feedback"
    label = gettext_lazy("Feedback workbook")
    model = DispatchItem
    masking = Masking.UNMASKED
    permission_message = gettext_lazy("Your role may not export the feedback workbook.")

    def records(self, *, user, params: dict) -> dict:
        return {"order": get_visible(DispatchOrder, user, params["order_id"])}

    def purpose(self, *, params: dict, records: dict, unmasked: bool) -> str:
        return _("Feedback workbook of dispatch order %(number)s") % {
            "number": records["order"].order_number
        }

    def facts(self, *, params: dict, records: dict) -> list[Fact]:
        return [Fact(_("Order"), records["order"].order_number)]

    def another_url(self, *, params: dict, records: dict) -> str:
        return records["order"].get_absolute_url() if records else ""

    def write(self, *, request: ExportRequest, records: dict, target) -> Written:
        order = records["order"]
        items = list(
            DispatchItem.objects.visible_to(request.acting_user)
            .filter(order=order)
            .select_related("recorded_by__staff_profile")
            .order_by("row_number")
        )
        feedback_workbook(order=order, items=items, target=target)
        return Written(
            rows=len(items),
            fields=(*order.headers, *result_headings()),
            filename=feedback_filename(order),
        )


EXPORTS = [FeedbackExport()]
