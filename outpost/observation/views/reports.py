"""The site daily report (每日信息通报) page and its workbook: today live, a past day as it
was frozen when it closed."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from outpost.core.exports.tasks import export_enqueue
from outpost.core.scoping import get_visible
from outpost.core.viewmixins import ScopedDetailView, ScopedViewMixin, form_add_service_errors
from outpost.observation.exports import SiteDailyReportExport, figure_sections
from outpost.observation.forms import ReportDayForm, ReportExportForm
from outpost.observation.models import IsolationSite
from outpost.observation.services.reports import site_day_report

TEMPLATE = "observation/site_report.html"


def _report_context(request, site, day: datetime.date, *, day_form, export_form=None) -> dict:
    now = timezone.now()
    today = timezone.localdate(now)
    try:
        report = site_day_report(site=site, day=day, now=now)
    except ValidationError as exc:
        form_add_service_errors(day_form, exc)
        day = today
        report = site_day_report(site=site, day=day, now=now)
    one_day = datetime.timedelta(days=1)
    return {
        "object": site,
        "site": site,
        "day": day,
        "today": today,
        "yesterday": today - one_day,
        "previous_day": day - one_day,
        "next_day": day + one_day if day < today else None,
        "report": report,
        "as_of": timezone.localtime(datetime.datetime.fromisoformat(report.figures["as_of"])),
        "sections": figure_sections(report.figures),
        "day_form": day_form,
        "export_form": export_form or ReportExportForm(initial={"day": day, "file_format": "xlsx"}),
        # Shown on the page too: a printout of the page carries the same marking as the PDF.
        "classification": settings.OUTPOST_CLASSIFICATION,
    }


class SiteReportView(ScopedDetailView):
    """The day of `?day=YYYY-MM-DD`, today when missing."""

    model = IsolationSite
    template_name = TEMPLATE

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        day_form = ReportDayForm(request.GET or None)
        day = (day_form.cleaned_data.get("day") if day_form.is_valid() else None) or (
            timezone.localdate()
        )
        context = _report_context(request, self.object, day, day_form=day_form)
        return self.render_to_response(context)


class SiteReportExportView(ScopedViewMixin, PermissionRequiredMixin, View):
    """POST (day, format, purpose, reason): queue the day's workbook or PDF (an export like any other: its status
    page, then its file, logged in the access log)."""

    model = IsolationSite
    permission_required = "core.export_personal_data"

    def post(self, request, pk):
        site = get_visible(IsolationSite, request.user, pk)
        form = ReportExportForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["day"] or timezone.localdate()
            try:
                result = export_enqueue(
                    export_name=SiteDailyReportExport.name,
                    params={
                        "site_id": site.pk,
                        "day": day.isoformat(),
                        "file_format": form.cleaned_data["file_format"] or "xlsx",
                    },
                    request=request,
                    purpose=form.cleaned_data["purpose"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return HttpResponseRedirect(reverse("core:export_status", args=[result.id]))
        day = form.cleaned_data.get("day") if hasattr(form, "cleaned_data") else None
        context = _report_context(
            request,
            site,
            day or timezone.localdate(),
            day_form=ReportDayForm(),
            export_form=form,
        )
        return render(request, TEMPLATE, context, status=422)
