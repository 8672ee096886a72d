"""Concealed-travel discrepancies (出行信息不一致): the list to work through, and each one with
the visit's declaration and the feed side by side, to verify."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.forms import Form
from outpost.core.viewmixins import ScopedDetailView, ScopedListView, form_add_service_errors
from outpost.screening import selectors
from outpost.screening.choices import DiscrepancyStatus
from outpost.screening.models import ScreeningRun, TravelDiscrepancy
from outpost.screening.services import travel_discrepancy_resolve


class DiscrepancyResolveForm(Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("What the verification found"),
        choices=[c for c in DiscrepancyStatus.choices if c[0] != DiscrepancyStatus.OPEN],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("How it was verified"),
        help_text=gettext_lazy("Who was asked, when, what they showed (ticket, health code)."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class DiscrepancyListView(ScopedListView):
    """Open (or verified) discrepancies of the user's jurisdiction, by community or run."""

    model = TravelDiscrepancy
    template_name = "screening/discrepancy_list.html"
    partial_template_name = "screening/partials/discrepancy_rows.html"

    def _filters(self):
        user, query = self.request.user, self.request.GET
        status = query.get("status", "open")
        if status not in selectors.DISCREPANCY_FILTERS:
            status = "open"
        communities = list(selectors.discrepancy_communities(user=user))
        community = next((c for c in communities if str(c.pk) == query.get("community")), None)
        run = None
        raw_run = query.get("run", "")
        if raw_run.isdigit():
            run = (
                ScreeningRun.objects.visible_to(user)
                .select_related("unit")
                .filter(pk=raw_run)
                .first()
            )
        return status, communities, community, run

    def get_queryset(self):
        status, _communities, community, run = self.filters = self._filters()
        return selectors.travel_discrepancy_list(
            user=self.request.user, status=status, community=community, run=run
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status, communities, community, run = self.filters
        context.update(status=status, communities=communities, community=community, filter_run=run)
        return context


class DiscrepancyDetailView(ScopedDetailView):
    """The visit's declaration and the feed row side by side; a form records what the
    verification found (a note is required)."""

    model = TravelDiscrepancy
    template_name = "screening/discrepancy_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("resident__household", "unit", "category", "run", "resolved_by")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.setdefault("form", DiscrepancyResolveForm())
        context["can_resolve"] = self.object.is_open and user.has_perm(
            "screening.change_traveldiscrepancy"
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("screening.change_traveldiscrepancy"):
            raise PermissionDenied
        self.object = self.get_object()
        form = DiscrepancyResolveForm(request.POST)
        if form.is_valid():
            try:
                travel_discrepancy_resolve(
                    acting_user=request.user,
                    discrepancy=self.object,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("The verification is recorded."))
                return HttpResponseRedirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form), status=200)
