"""Enterprise pages (企业平安之家): the registry's list and detail, new and edit for
officers, contact people, binding a liaison, and the liaison's own "my enterprise"."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from outpost.core.audit import record_history
from outpost.core.models import Unit
from outpost.core.scoping import get_visible
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.core.views import RevealView
from outpost.enterprises import selectors
from outpost.enterprises.forms import (
    ContactForm,
    EnterpriseFilterForm,
    EnterpriseForm,
    LiaisonForm,
)
from outpost.enterprises.models import Enterprise, EnterpriseContact
from outpost.enterprises.panels import render_enterprise_panels
from outpost.enterprises.services import (
    contact_add,
    contact_archive,
    enterprise_create,
    enterprise_update,
    liaison_bind,
)


class EnterpriseListView(ScopedListView):
    """Enterprises of the user's jurisdiction (a liaison: its own), filtered by unit,
    sector, essential goods and status, searched by name or credit code."""

    model = Enterprise
    template_name = "enterprises/enterprise_list.html"
    partial_template_name = "enterprises/partials/enterprise_rows.html"

    def get(self, request, *args, **kwargs):
        self.filter_form = EnterpriseFilterForm(request.GET, user=request.user)
        self.filter_form.is_valid()  # an invalid filter (a unit not in scope) is dropped
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = self.filter_form.cleaned_data
        return selectors.enterprise_list(
            user=self.request.user,
            unit=data.get("unit"),
            sector=data.get("sector") or "",
            essential=data.get("essential") or "",
            status=data.get("status") or "",
            query=data.get("q") or "",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        return context


def enterprise_page_context(request, enterprise: Enterprise) -> dict:
    """What the enterprise's page shows besides the enterprise: for the detail page and the
    liaison's own page alike."""
    user = request.user
    visible_change = Enterprise.objects.visible_to(user, "change").filter(pk=enterprise.pk)
    return {
        "contacts": selectors.enterprise_contacts(user=user, enterprise=enterprise),
        "liaisons": selectors.enterprise_liaisons(user=user, enterprise=enterprise),
        "can_change": not selectors.is_liaison(user) and visible_change.exists(),
        "can_add_contact": user.has_perm("enterprises.add_enterprisecontact"),
        "can_archive_contact": user.has_perm("enterprises.change_enterprisecontact"),
        "can_bind_liaison": not selectors.is_liaison(user)
        and user.has_perm("enterprises.add_enterpriseliaison"),
        "panels": render_enterprise_panels(request=request, enterprise=enterprise),
        "history": record_history(enterprise),
    }


class EnterpriseDetailView(ScopedDetailView):
    """One enterprise: its registered facts, contact people (phones masked), liaisons, the
    panels of the module's other parts, and its change history."""

    model = Enterprise
    template_name = "enterprises/enterprise_detail.html"

    def get_queryset(self):
        return selectors.enterprise_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(enterprise_page_context(self.request, self.object))
        return context


class MyEnterpriseView(LoginRequiredMixin, View):
    """The liaison's home in the module (我的企业): its own enterprise's page, found by the
    login's binding; a liaison not bound yet is told whom to ask."""

    def get(self, request):
        enterprise = selectors.enterprise_of_liaison(request.user)
        if enterprise is None:
            return render(request, "enterprises/my_enterprise_unbound.html")
        enterprise = get_visible(Enterprise, request.user, enterprise.pk)
        context = {"object": enterprise, "mine": True}
        context.update(enterprise_page_context(request, enterprise))
        return render(request, "enterprises/enterprise_detail.html", context)


class EnterpriseNewView(ScopedViewMixin, PermissionRequiredMixin, FormView):
    """Register an enterprise in a community or grid of the user's jurisdiction."""

    model = Unit
    permission_required = "enterprises.add_enterprise"
    form_class = EnterpriseForm
    template_name = "enterprises/enterprise_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        # A unit from outside the user's scope is a 404, not a form error.
        if request.POST.get("unit"):
            get_visible(Unit, request.user, request.POST["unit"])
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            enterprise = enterprise_create(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s is registered.") % {"name": enterprise.name})
        return HttpResponseRedirect(enterprise.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)


class EnterpriseEditView(PermissionRequiredMixin, ScopedActionView):
    """Correct an enterprise's registered facts (officers)."""

    model = Enterprise
    scope_action = "change"
    permission_required = "enterprises.change_enterprise"
    template_name = "enterprises/enterprise_form.html"

    def get_object(self):
        if selectors.is_liaison(self.request.user):
            raise Http404
        return super().get_object()

    def get_form(self, enterprise, data=None):
        initial = {name: getattr(enterprise, name) for name in EnterpriseForm.base_fields}
        initial["unit"] = enterprise.unit_id
        return EnterpriseForm(data, initial=initial, user=self.request.user)

    def post(self, request, *args, **kwargs):
        if request.POST.get("unit"):
            get_visible(Unit, request.user, request.POST["unit"])
        return super().post(request, *args, **kwargs)

    def perform(self, enterprise, data):
        enterprise_update(acting_user=self.request.user, enterprise=enterprise, **data)
        return _("The enterprise is saved.")


class ContactNewView(PermissionRequiredMixin, ScopedActionView):
    """Add a contact person to an enterprise (officers, or the enterprise's own liaison)."""

    model = Enterprise
    scope_action = "view"
    permission_required = "enterprises.add_enterprisecontact"
    template_name = "enterprises/contact_form.html"
    form_class = ContactForm

    def perform(self, enterprise, data):
        contact = contact_add(acting_user=self.request.user, enterprise=enterprise, **data)
        return _("%(name)s is added as a contact.") % {"name": contact.name}

    def get_success_url(self, enterprise):
        return enterprise.get_absolute_url() + "#contacts"


class ContactArchiveView(ScopedActionView):
    """The person is no longer the enterprise's contact: archived (kept, not deleted)."""

    model = EnterpriseContact
    scope_action = "change"
    template_name = "enterprises/contact_archive.html"
    http_method_names = ["post"]

    def get_form(self, contact, data=None):
        from outpost.core.forms import ConfirmForm

        return ConfirmForm(data)

    def perform(self, contact, data):
        contact_archive(acting_user=self.request.user, contact=contact)
        return _("%(name)s is no longer a contact.") % {"name": contact.name}

    def get_success_url(self, contact):
        return contact.enterprise.get_absolute_url() + "#contacts"


class ContactRevealView(RevealView):
    """A contact person's phone, unmasked for a stated purpose; logged."""

    model = EnterpriseContact
    reveal_fields = ("phone",)


class LiaisonBindView(PermissionRequiredMixin, ScopedActionView):
    """Bind a liaison login to the enterprise (officers)."""

    model = Enterprise
    scope_action = "change"
    permission_required = "enterprises.add_enterpriseliaison"
    template_name = "enterprises/liaison_form.html"

    def get_object(self):
        if selectors.is_liaison(self.request.user):
            raise Http404
        return super().get_object()

    def get_form(self, enterprise, data=None):
        return LiaisonForm(data, user=self.request.user, enterprise=enterprise)

    def perform(self, enterprise, data):
        liaison = liaison_bind(acting_user=self.request.user, enterprise=enterprise, **data)
        return _("%(user)s is now the liaison of %(enterprise)s.") % {
            "user": liaison.user.staff_profile.display_name,
            "enterprise": enterprise.name,
        }
