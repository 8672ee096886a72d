"""Risk designation pages (风险地区认定): reference data, no personal data."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from outpost.core.viewmixins import form_add_service_errors
from outpost.screening import selectors
from outpost.screening.forms import RiskDesignationForm
from outpost.screening.models import RiskDesignation
from outpost.screening.services import (
    risk_designation_create,
    risk_designation_update,
)


class RiskDesignationListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """Risk regions and their windows (public reference data, no personal data)."""

    permission_required = "screening.view_riskdesignation"
    template_name = "screening/designation_list.html"
    paginate_by = 100

    def get_queryset(self):
        return selectors.designation_list()

    def get_context_data(self, **kwargs):
        # "In force" is judged on today's date in China time (TIME_ZONE).
        return {**super().get_context_data(**kwargs), "today": timezone.localdate()}


class RiskDesignationCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "screening.add_riskdesignation"
    form_class = RiskDesignationForm
    template_name = "screening/designation_form.html"

    def form_valid(self, form):
        try:
            risk_designation_create(acting_user=self.request.user, **form.service_arguments())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
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
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Risk designation saved."))
        return HttpResponseRedirect(reverse("screening:designation_list"))
