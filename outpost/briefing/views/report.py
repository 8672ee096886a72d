"""The daily report (每日信息通报) export: choose a day, a unit of your subtree and a format;
the shared export task writes the file, and its status page (`core.exports.views`) polls
until it can be downloaded, by the user who asked only."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outpost.briefing.exports import REPORT_FORMATS, DailyReportExport
from outpost.core.exports.views import UnitExportView
from outpost.core.forms import ExportPurposeForm, UnitChoiceField
from outpost.core.models import Unit
from outpost.core.scoping import user_scope_unit


class DailyReportForm(ExportPurposeForm):
    day = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", _("xlsx workbook")), ("pdf", _("PDF for printing"))],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.visible_to(user).filter(is_active=True).order_by("path")
        )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The report cannot be of a day still to come."))
        return day


class DailyReportExportView(UnitExportView):
    """The report's lists are personal data (masked): exporting it needs the export
    permission and a reason, like the ledgers. Another subtree's unit is a 404."""

    permission_required = ("briefing.view_dailysnapshot", "core.export_personal_data")
    form_class = DailyReportForm
    template_name = "briefing/report_export.html"
    export_name = DailyReportExport.name

    def get_initial(self):
        unit = user_scope_unit(self.request.user)
        return {
            "day": timezone.localdate() - datetime.timedelta(days=1),
            "unit": getattr(unit, "pk", None),
            "file_format": REPORT_FORMATS[0],
        }

    def export_params(self, data) -> dict:
        return {"day": data["day"].isoformat(), "file_format": data["file_format"]}
