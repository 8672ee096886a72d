"""Screening run pages (大数据比对): list, start, results and counts."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView

from outpost.core.scoping import user_covers, user_scope_unit
from outpost.core.viewmixins import ScopedDetailView, ScopedListView, form_add_service_errors
from outpost.screening import selectors
from outpost.screening.forms import FEEDS_READ, ScreeningRunForm
from outpost.screening.models import ScreeningRun
from outpost.screening.services.starts import screening_run_start


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Said before the run starts: feeds no designation in force can place anywhere.
        feeds = context["form"].fields["feeds"].queryset.filter(status__in=FEEDS_READ)
        context["outside"] = selectors.feeds_outside_designations_in_force(
            feeds=feeds.order_by("original_name"), on=timezone.localdate()
        )
        return context

    def form_valid(self, form):
        try:
            run = screening_run_start(
                acting_user=self.request.user,
                unit=form.cleaned_data["unit"],
                feeds=form.cleaned_data["feeds"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
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
        context["outside"] = selectors.feeds_outside_designations_in_force(
            feeds=context["feeds"], on=timezone.localdate(run.created_at)
        )
        # The feed totals are the whole run's: shown only to users who see all of it.
        context["sees_whole_run"] = user_covers(user, run.unit)
        if run.status == "done":
            context["follow_up"] = selectors.screening_run_follow_up(user=user, run=run)
            context["counts"] = selectors.screening_run_counts(user=user, run=run)
            context["results"] = selectors.screening_run_results(user=user, run=run)[
                : self.results_shown
            ]
        return context
