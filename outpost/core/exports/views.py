"""The status page and the download of every export: only for the user who asked (anyone
else, or a bad id, gets a 404), and the file only while its records are still in that
user's scope and their role still may export them."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, RedirectView

from outpost.core.exports.base import CONTENT_TYPES
from outpost.core.exports.tasks import export_enqueue, export_summary, owned_export
from outpost.core.models import Unit
from outpost.core.scoping import get_visible, user_scope_unit
from outpost.core.viewmixins import ScopedViewMixin, form_add_service_errors


class ExportStatusView(LoginRequiredMixin, View):
    """One export's state, polled by htmx until the file is ready."""

    template_name = "core/export_status.html"
    partial_template_name = "core/partials/export_status.html"

    def get(self, request, pk):
        result, definition = owned_export(user=request.user, export_id=pk)
        params = result.kwargs["params"]
        try:
            records = definition.records(user=request.user, params=params)
        except Http404:
            records = None  # the records left the user's scope: the page says what it can
        context = {
            "export": export_summary(result, definition),
            "facts": [] if records is None else definition.facts(params=params, records=records),
            "another_url": definition.another_url(params=params, records=records or {}),
        }
        template = self.partial_template_name if request.htmx else self.template_name
        return render(request, template, context)


class ExportDownloadView(LoginRequiredMixin, View):
    """The export's file under the name its writer chose; 404 while it is not finished,
    once it has been pruned, or once its records or the right to export them are gone."""

    def get(self, request, pk):
        result, definition = owned_export(user=request.user, export_id=pk)
        summary = export_summary(result, definition)
        definition.records(user=request.user, params=result.kwargs["params"])  # 404 if gone
        if not definition.may_export(request.user, unmasked=summary.unmasked):
            raise Http404
        if not summary.done:
            raise Http404
        name = result.return_value["file"]
        try:
            handle = default_storage.open(name, "rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(
            handle,
            as_attachment=True,
            filename=result.return_value["filename"],
            content_type=CONTENT_TYPES.get(summary.file_format, "application/octet-stream"),
        )


def export_moved(page: str):
    """A view for an export's address of the time each app had its own export pages: it
    leads to the shared page (`page` is "status" or "download"), which checks the owner."""
    return RedirectView.as_view(pattern_name=f"core:export_{page}", permanent=True)


class UnitExportView(ScopedViewMixin, PermissionRequiredMixin, FormView):
    """The form of an export over one unit of the user's subtree: it offers the user's
    units only (another unit posted is a 404), starts the export as a background task with
    its purpose and reason, and sends the user to its status. Subclasses name the export,
    the form, the template and the permission, and say what else the export takes
    (`export_params`)."""

    model = Unit
    export_name: str

    def export_params(self, data) -> dict:
        raise NotImplementedError

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
                export_name=self.export_name,
                params={"unit_id": data["unit"].pk, **self.export_params(data)},
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


class UnitPeriodExportView(UnitExportView):
    """An export over one unit and a range of days (a ledger), this month by default."""

    def get_initial(self):
        today = timezone.localdate()
        unit = user_scope_unit(self.request.user)
        return {"since": today.replace(day=1), "until": today, "unit": getattr(unit, "pk", None)}

    def export_params(self, data) -> dict:
        return {"since": data["since"].isoformat(), "until": data["until"].isoformat()}
