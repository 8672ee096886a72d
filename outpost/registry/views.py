from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views import View

from outpost.core.audit import record_history
from outpost.core.scoping import get_visible
from outpost.core.viewmixins import ScopedDetailView, ScopedListView, ScopedViewMixin
from outpost.core.views import RevealView
from outpost.registry import selectors
from outpost.registry.forms import ResidentContactForm
from outpost.registry.models import Household, Resident
from outpost.registry.services import resident_update_contact


class HouseholdListView(ScopedListView):
    model = Household
    template_name = "registry/household_list.html"
    partial_template_name = "registry/partials/household_rows.html"

    def get_queryset(self):
        return selectors.household_list(user=self.request.user, query=self.request.GET.get("q", ""))


class HouseholdDetailView(ScopedDetailView):
    model = Household
    template_name = "registry/household_detail.html"

    def get_queryset(self):
        return selectors.household_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = record_history(self.object)
        return context


class ResidentListView(ScopedListView):
    model = Resident
    template_name = "registry/resident_list.html"
    partial_template_name = "registry/partials/resident_rows.html"

    def get_queryset(self):
        return selectors.resident_list(user=self.request.user, query=self.request.GET.get("q", ""))


class ResidentDetailView(ScopedDetailView):
    model = Resident
    template_name = "registry/resident_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "household")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = record_history(self.object)
        context["can_edit"] = (
            Resident.objects.visible_to(self.request.user, "change")
            .filter(pk=self.object.pk)
            .exists()
        )
        return context


class ResidentRevealView(RevealView):
    model = Resident
    reveal_fields = ("id_number", "document_number", "phone")


class ResidentEditView(ScopedViewMixin, View):
    """Correct a resident's contact details (an htmx fragment on the resident's page)."""

    model = Resident
    scope_action = "change"
    template_name = "registry/partials/resident_edit_form.html"

    def get(self, request, pk):
        resident = get_visible(Resident, request.user, pk, "change")
        form = ResidentContactForm(
            initial={
                "phone": resident.masked_phone,
                "residence_type": resident.residence_type,
                "workplace": resident.workplace,
            }
        )
        return render(request, self.template_name, {"form": form, "object": resident})

    def post(self, request, pk):
        resident = get_visible(Resident, request.user, pk, "change")
        data = request.POST.copy()
        # The form shows the masked phone; leaving it untouched keeps the stored number.
        if data.get("phone", "") == resident.masked_phone:
            data["phone"] = resident.phone
        form = ResidentContactForm(data)
        if not form.is_valid():
            return render(
                request, self.template_name, {"form": form, "object": resident}, status=422
            )
        resident_update_contact(acting_user=request.user, resident=resident, **form.cleaned_data)
        url = resident.get_absolute_url()
        if request.htmx:
            response = HttpResponseRedirect(url)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
