from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from outpost.core.scoping import user_scope_unit
from outpost.core.viewmixins import ScopedDetailView, ScopedListView
from outpost.screening import selectors
from outpost.screening.forms import FeedUploadForm, RiskDesignationForm, ScreeningRunForm
from outpost.screening.models import Feed, RiskDesignation, ScreeningRun
from outpost.screening.services import (
    feed_upload,
    risk_designation_create,
    risk_designation_update,
    screening_run_start,
)


def _form_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class RiskDesignationListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """Risk regions and their windows (public reference data, no personal data)."""

    permission_required = "screening.view_riskdesignation"
    template_name = "screening/designation_list.html"
    paginate_by = 100

    def get_queryset(self):
        return selectors.designation_list()


class RiskDesignationCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "screening.add_riskdesignation"
    form_class = RiskDesignationForm
    template_name = "screening/designation_form.html"

    def form_valid(self, form):
        try:
            risk_designation_create(acting_user=self.request.user, **form.service_arguments())
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Risk designation saved."))
        return HttpResponseRedirect(reverse("screening:designation_list"))


class RiskDesignationUpdateView(RiskDesignationCreateView):
    permission_required = "screening.change_riskdesignation"

    def dispatch(self, request, *args, **kwargs):
        self.designation = get_object_or_404(RiskDesignation, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.designation}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "designation": self.designation}

    def form_valid(self, form):
        try:
            risk_designation_update(
                acting_user=self.request.user,
                designation=self.designation,
                **form.service_arguments(),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Risk designation saved."))
        return HttpResponseRedirect(reverse("screening:designation_list"))


class FeedListView(ScopedListView):
    """The feeds of the user's jurisdiction, with the form that starts a screening run."""

    model = Feed
    template_name = "screening/feed_list.html"

    def get_queryset(self):
        return selectors.feed_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("screening.add_screeningrun"):
            context["run_form"] = ScreeningRunForm(
                user=user, initial={"unit": user_scope_unit(user)}
            )
        return context


class FeedDetailView(ScopedDetailView):
    """A feed's counts and its rows, ID numbers and phones masked."""

    model = Feed
    template_name = "screening/feed_detail.html"
    rows_shown = 200

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "uploaded_by__staff_profile")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        errors_only = self.request.GET.get("errors") == "1"
        rows = selectors.feed_rows(
            feed=self.object, user=self.request.user, errors_only=errors_only
        )
        context.update(rows=rows[: self.rows_shown], errors_only=errors_only)
        return context


class FeedUploadView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    """Upload a feed into a unit of the user's subtree (a form listing unit names); lands on
    the feed's page."""

    permission_required = "screening.add_feed"
    form_class = FeedUploadForm
    template_name = "screening/feed_upload.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"unit": user_scope_unit(self.request.user)}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            feed = feed_upload(
                acting_user=self.request.user,
                unit=form.cleaned_data["unit"],
                source_type=form.cleaned_data["source_type"],
                file=upload,
                original_name=upload.name,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.form_invalid(form)
        if feed.error_rows:
            messages.warning(
                self.request,
                _("%(total)d rows read; %(errors)d have problems and are kept with them.")
                % {"total": feed.total_rows, "errors": feed.error_rows},
            )
        else:
            messages.success(self.request, _("%(total)d rows read.") % {"total": feed.total_rows})
        return HttpResponseRedirect(feed.get_absolute_url())


class ScreeningRunListView(ScopedListView):
    model = ScreeningRun
    template_name = "screening/run_list.html"

    def get_queryset(self):
        return selectors.screening_run_list(user=self.request.user)


class ScreeningRunStartView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    """Start a run over the chosen feeds (a form listing feed and unit names of the user's
    subtree); lands on the run's page, which follows its progress."""

    permission_required = "screening.add_screeningrun"
    form_class = ScreeningRunForm
    template_name = "screening/run_start.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"unit": user_scope_unit(self.request.user)}

    def form_valid(self, form):
        try:
            run = screening_run_start(
                acting_user=self.request.user,
                unit=form.cleaned_data["unit"],
                feeds=form.cleaned_data["feeds"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The screening has started."))
        return HttpResponseRedirect(run.get_absolute_url())


class ScreeningRunDetailView(ScopedDetailView):
    """A run's progress, then its three counts per office, community and grid, and the
    people found (ID numbers and phones masked). htmx polls the status fragment."""

    model = ScreeningRun
    template_name = "screening/run_detail.html"
    partial_template_name = "screening/partials/run_body.html"
    results_shown = 500

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run, user = self.object, self.request.user
        context["feeds"] = run.feeds.visible_to(user).order_by("original_name")
        if run.status == "done":
            context["counts"] = selectors.screening_run_counts(user=user, run=run)
            context["results"] = selectors.screening_run_results(user=user, run=run)[
                : self.results_shown
            ]
        return context
