"""The import pages: upload (with the list of imports), column mapping, preview and result,
and the error workbook. Views parse, call a service and render (STYLE rule 4).

Every page is scoped (`ScopedViewMixin`): an import is seen only within the user's
subtree, and only by roles that may import (others get 403 on the list, 404 elsewhere).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from outpost.core.choices import ImportStatus
from outpost.core.imports.base import get_importer
from outpost.core.imports.error_report import error_workbook_bytes
from outpost.core.imports.forms import ImportMappingForm, ImportUploadForm
from outpost.core.imports.services import (
    import_job_create,
    import_job_set_mapping,
    import_job_start_commit,
    import_job_start_inspection,
    import_job_start_validation,
    sheet_names,
)
from outpost.core.imports.steps import (
    EDITABLE,
    IMPORT_PERMISSION,
    RUNNING,
    import_kinds_for,
    imports_needing_attention,
    may_import,
)
from outpost.core.models import ImportJob
from outpost.core.viewmixins import ScopedDetailView, ScopedListView


class ImportJobScope:
    """Imports of the user's subtree, for roles that may import."""

    model = ImportJob

    def get_scoped_queryset(self):
        user = self.request.user
        if not user.has_perm(IMPORT_PERMISSION):
            return ImportJob.objects.none()
        return ImportJob.objects.visible_to(user).select_related(
            "unit", "created_by__staff_profile"
        )


class ImportListView(ImportJobScope, ScopedListView):
    """Upload a spreadsheet; below, the imports of the user's subtree."""

    template_name = "core/import_list.html"
    context_object_name = "jobs"
    paginate_by = 20

    def get_permission_required(self):
        return [IMPORT_PERMISSION]

    def get_queryset(self):
        jobs = super().get_queryset()
        # ?attention=1: the user's imports waiting for them (the home page's to-do line).
        if self.request.GET.get("attention") == "1":
            return imports_needing_attention(user=self.request.user, jobs=jobs)
        return jobs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attention_only"] = self.request.GET.get("attention") == "1"
        context.setdefault("form", ImportUploadForm(user=self.request.user))
        context["can_import"] = bool(import_kinds_for(self.request.user))
        return context

    def post(self, request, *args, **kwargs):
        form = ImportUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_job_create(
                    acting_user=request.user,
                    kind=form.cleaned_data["kind"],
                    unit=form.cleaned_data["unit"],
                    file=upload,
                    original_name=Path(upload.name).name,
                    language=get_language(),
                )
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, field_errors in errors.items():
                    for error in field_errors:
                        form.add_error(field if field in form.fields else None, error)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                # The worker reads the file; the job's page follows it.
                return HttpResponseRedirect(reverse("core:import_detail", args=[job.pk]))
        self.object_list = self.get_queryset()
        context = self.get_context_data(form=form)
        return self.render_to_response(context, status=422)


class ImportMappingView(ImportJobScope, ScopedDetailView):
    """Which file column holds which field; auto-detected choices are preselected."""

    template_name = "core/import_mapping.html"
    context_object_name = "job"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        context.setdefault("form", ImportMappingForm(job=job))
        context["sheets"] = sheet_names(job)
        context["editable"] = job.status in EDITABLE
        context["may_run"] = may_import(self.request.user, get_importer(job.kind))
        context["import_label"] = get_importer(job.kind).label
        return context

    def get(self, request, *args, **kwargs):
        job = self.object = self.get_object()
        if job.status == ImportStatus.READING or not job.headers:
            # Nothing to map yet (being read) or the file could not be read: its page says.
            return HttpResponseRedirect(reverse("core:import_detail", args=[job.pk]))
        return self.render_to_response(self.get_context_data(object=job))

    def post(self, request, pk):
        job = self.object = self.get_object()
        if request.POST.get("action") == "sheet":
            try:
                import_job_start_inspection(
                    acting_user=request.user,
                    job=job,
                    sheet_name=request.POST.get("sheet", ""),
                    language=get_language(),
                )
            except ValidationError as exc:
                return self._again(job, ImportMappingForm(job=job), exc.messages)
            return HttpResponseRedirect(reverse("core:import_detail", args=[job.pk]))
        form = ImportMappingForm(request.POST, job=job)
        if not form.is_valid():
            return self._again(job, form, [])
        try:
            import_job_set_mapping(acting_user=request.user, job=job, mapping=form.mapping())
            import_job_start_validation(acting_user=request.user, job=job, language=get_language())
        except ValidationError as exc:
            return self._again(job, form, exc.messages)
        return HttpResponseRedirect(reverse("core:import_detail", args=[job.pk]))

    def _again(self, job, form, errors):
        context = self.get_context_data(form=form, problems=errors)
        return render(
            request=self.request, template_name=self.template_name, context=context, status=422
        )


class ImportDetailView(ImportJobScope, ScopedDetailView):
    """Progress while checking or importing (polled by htmx), then the preview with the
    first errors and the import button, then the result."""

    template_name = "core/import_detail.html"
    partial_template_name = "core/partials/import_status.html"
    context_object_name = "job"

    def get(self, request, *args, **kwargs):
        job = self.object = self.get_object()
        if job.status == ImportStatus.UPLOADED and job.headers:
            # The worker has read the file: on to its columns (the polling fragment too).
            url = reverse("core:import_mapping", args=[job.pk])
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(url)
            return HttpResponseRedirect(url)
        return self.render_to_response(self.get_context_data(object=job))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        context["running"] = job.status in RUNNING
        context["bad_rows"] = max(job.total_rows - job.valid_rows, 0)
        context["editable"] = job.status in EDITABLE
        # A role that may view imports but not write their records sees no buttons.
        context["may_run"] = may_import(self.request.user, get_importer(job.kind))
        return context

    def post(self, request, pk):
        job = self.object = self.get_object()
        action = request.POST.get("action")
        try:
            if action == "commit":
                import_job_start_commit(
                    acting_user=request.user,
                    job=job,
                    skip_bad_rows=bool(request.POST.get("skip_bad_rows")),
                    language=get_language(),
                )
            elif action == "check":
                import_job_start_validation(
                    acting_user=request.user, job=job, language=get_language()
                )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return HttpResponseRedirect(reverse("core:import_detail", args=[job.pk]))


class ImportErrorReportView(ImportJobScope, ScopedDetailView):
    """The error workbook (masked, so no export of personal data)."""

    def get(self, request, pk):
        job = self.get_object()
        stem = Path(job.original_name).stem or "import"
        filename = _("%(name)s-errors.xlsx") % {"name": stem}
        if job.error_report:
            try:
                handle = job.error_report.open("rb")
            except FileNotFoundError:
                raise Http404 from None
            return FileResponse(handle, as_attachment=True, filename=filename)
        if job.error_count or job.status not in (ImportStatus.VALIDATED, ImportStatus.DONE):
            raise Http404
        # Checked and nothing wrong: an empty workbook says so.
        response = HttpResponse(
            error_workbook_bytes([], title=job.original_name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
