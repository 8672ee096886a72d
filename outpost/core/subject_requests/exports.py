""" "What we hold about this person" as a workbook (个人信息持有情况表): one row per fact,
built from `holdings.person_holdings` as the page is, through the one export path (logged
with the request as the reason, file purged after a week)."""

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
from outpost.core.scoping import get_visible
from outpost.core.subject_requests.holdings import person_finder, person_holdings
from outpost.core.subject_requests.models import SubjectRequest
from outpost.core.subject_requests.services import DOCUMENT_FIELDS

COLUMNS = [
    Column(gettext_lazy("Module"), 18),
    Column(gettext_lazy("Record"), 30),
    Column(gettext_lazy("Time"), 17),
    Column(gettext_lazy("Item"), 18),
    Column(gettext_lazy("Value"), 44, text=True),
]


def request_document(*, user, request: SubjectRequest):
    """The sections of the document of a request, read as `user` may (empty when the
    person is not in the registry)."""
    if request.subject_pk is None:
        return []
    person = person_finder().get(user=user, pk=request.subject_pk)
    return person_holdings(user=user, person=person)


def document_facts(sections) -> int:
    """How many entries a document holds (the access log's rows)."""
    return sum(len(section.entries) for section in sections)


class PersonHoldingsExport(ExportDefinition):
    """What we hold about the person of one request, for them: their own numbers in full."""

    name = "core.person_holdings"
    label = gettext_lazy("What we hold about this person")
    model = SubjectRequest
    fields = DOCUMENT_FIELDS
    masking = Masking.UNMASKED
    permissions = ("core.change_subjectrequest",)
    permission_message = gettext_lazy("Your role may not hand out what we hold about a person.")

    def records(self, *, user, params: dict) -> dict:
        return {"request": get_visible(SubjectRequest, user, params["request_id"], "change")}

    def write(self, *, request: ExportRequest, records: dict, target) -> Written:
        subject_request = records["request"]
        sections = request_document(user=request.acting_user, request=subject_request)
        sheet = LedgerSheet(
            sheet_title=_("What we hold"),
            title=self.purpose(params=request.params, records=records, unmasked=True),
            subtitle=export_subtitle(
                acting_user=request.acting_user, today=request.today, unmasked=True
            ),
            columns=COLUMNS,
        )
        for section in sections:
            for entry in section.entries:
                facts = entry.facts or (("", ""),)
                for label, value in facts:
                    sheet.append([section.title, entry.title, entry.at, label, value])
        sheet.save(target, footer=_("Records: %(count)d") % {"count": document_facts(sections)})
        return Written(
            rows=document_facts(sections),
            filename=safe_filename(
                _("What we hold"),
                subject_request.reference,
                request.today.isoformat(),
                suffix="xlsx",
            ),
            fields=DOCUMENT_FIELDS,
        )

    def purpose(self, *, params: dict, records: dict, unmasked: bool) -> str:
        subject_request = records["request"]
        return _("What we hold about %(name)s (%(reference)s)") % {
            "name": subject_request.subject_name,
            "reference": subject_request.reference,
        }

    def facts(self, *, params: dict, records: dict) -> list[Fact]:
        return [Fact(_("Request"), records["request"].reference)]

    def another_url(self, *, params: dict, records: dict) -> str:
        return records["request"].get_absolute_url() if records else ""
