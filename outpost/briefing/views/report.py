"""The daily report (每日信息通报) export: choose a day, a unit of your subtree and a format;
the shared export task writes the file, and its status page (`core.exports.views`) polls
until it can be downloaded, by the user who asked only."""

import datetime

from django import forms
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from outpost.briefing.exports import REPORT_FORMATS, DailyReportExport
from outpost.core.exports.tasks import export_enqueue
from outpost.core.forms import ExportPurposeForm
from outpost.core.models import PATH_SEPARATOR, Unit
from outpost.core.scoping import get_visible, user_scope_unit
from outpost.core.viewmixins import ScopedViewMixin, form_add_service_errors


class UnitChoiceField(forms.ModelChoiceField):
    """Units of the user's subtree, each indented under its parent."""

    def label_from_instance(self, obj):
        return "　" * (obj.path.count(PATH_SEPARATOR) - 1) + obj.name


class DailyReportForm(ExportPurposeForm):
    day = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), empty_label=_("Choose…"))
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


class DailyReportExportView(ScopedViewMixin, PermissionRequiredMixin, FormView):
    """The report's lists are personal data (masked): exporting it needs the export
    permission and a reason, like the ledgers. Another subtree's unit is a 404."""

    model = Unit
    permission_required = ("briefing.view_dailysnapshot", "core.export_personal_data")
    form_class = DailyReportForm
    template_name = "briefing/report_export.html"

    def get_initial(self):
        unit = user_scope_unit(self.request.user)
        return {
            "day": timezone.localdate() - datetime.timedelta(days=1),
            "unit": getattr(unit, "pk", None),
            "file_format": REPORT_FORMATS[0],
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        if request.POST.get("unit"):
            get_visible(Unit, request.user, request.POST["unit"])
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            result = export_enqueue(
                export_name=DailyReportExport.name,
                params={
                    "unit_id": data["unit"].pk,
                    "day": data["day"].isoformat(),
                    "file_format": data["file_format"],
                },
                request=self.request,
                purpose=data["purpose"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("core:export_status", args=[result.id]))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)
