"""Key-person pages (重点人员): list, detail, new (a resident or a person not registered),
status change, reveal, and the action that turns screening results into key persons."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from outpost.core.audit import record_history
from outpost.core.models import Unit
from outpost.core.scoping import get_visible
from outpost.core.viewmixins import (
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.core.views import RevealView
from outpost.keypersons import selectors
from outpost.keypersons.forms import (
    KeyPersonFilterForm,
    KeyPersonNewPersonForm,
    KeyPersonResidentForm,
    KeyPersonStatusForm,
)
from outpost.keypersons.models import KeyPerson
from outpost.keypersons.services import (
    key_person_create,
    key_person_status_change,
    key_persons_from_screening,
)
from outpost.registry.models import Resident
from outpost.screening.models import ScreeningRun


class KeyPersonListView(ScopedListView):
    """Key persons of the user's jurisdiction, filtered by status, category, community or
    grid, and screening run (`?run=`); ID numbers and phones masked."""

    model = KeyPerson
    template_name = "keypersons/key_person_list.html"
    partial_template_name = "keypersons/partials/key_person_rows.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        self.filter_form = KeyPersonFilterForm(request.GET, user=user)
        self.filter_form.is_valid()  # an invalid filter (say, a unit not in scope) is dropped
        raw_run = request.GET.get("run")
        self.run = get_visible(ScreeningRun, user, raw_run) if raw_run else None
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = self.filter_form.cleaned_data
        return selectors.key_person_list(
            user=self.request.user,
            status=data.get("status") or "",
            category=data.get("category") or "",
            unit=data.get("unit"),
            run=self.run,
            query=data.get("q") or "",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(filter_form=self.filter_form, run=self.run)
        return context


class KeyPersonDetailView(ScopedDetailView):
    """One key person: the person (masked), the sources, the status and its history, and
    the next steps of the lifecycle."""

    model = KeyPerson
    template_name = "keypersons/key_person_detail.html"

    def get_queryset(self):
        return selectors.key_person_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            sources=selectors.key_person_sources(user=user, key_person=self.object),
            history=record_history(self.object),
            can_change=self.object.is_active
            and KeyPerson.objects.visible_to(user, "change").filter(pk=self.object.pk).exists(),
        )
        return context


class KeyPersonRevealView(RevealView):
    """The unmasked ID number and phone of a person not in the registry (a registered
    resident's are revealed on the resident's page)."""

    model = KeyPerson
    reveal_fields = ("id_number", "phone")


class ResidentSearchView(ScopedListView):
    """Residents of the user's jurisdiction to make a key person of (searched by name, full
    ID number or phone); an htmx fragment on the new-key-person page."""

    model = Resident
    template_name = "keypersons/resident_search.html"
    partial_template_name = "keypersons/partials/resident_choices.html"
    paginate_by = 20

    def get_queryset(self):
        return selectors.resident_candidates(
            user=self.request.user, query=self.request.GET.get("q", "")
        )


class KeyPersonNewView(ScopedViewMixin, PermissionRequiredMixin, FormView):
    """A new key person: search for the resident, or enter a person not in the registry
    (with a community or grid of the user's jurisdiction)."""

    model = Unit
    permission_required = "keypersons.add_keyperson"
    form_class = KeyPersonNewPersonForm
    template_name = "keypersons/key_person_new.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        # A unit from outside the user's scope is a 404, not a form error.
        if request.POST.get("unit"):
            get_visible(Unit, request.user, request.POST["unit"])
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            key_person = key_person_create(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=422)
        messages.success(
            self.request, _("%(name)s is now a key person.") % {"name": key_person.display_name}
        )
        return HttpResponseRedirect(key_person.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)


class KeyPersonFromResidentView(ScopedViewMixin, PermissionRequiredMixin, View):
    """Make one resident of the registry a key person (`pk` is the resident)."""

    model = Resident
    permission_required = "keypersons.add_keyperson"
    template_name = "keypersons/key_person_resident_form.html"

    def get(self, request, pk):
        resident = get_visible(Resident, request.user, pk)
        return self._render(resident, KeyPersonResidentForm())

    def post(self, request, pk):
        resident = get_visible(Resident, request.user, pk)
        form = KeyPersonResidentForm(request.POST)
        if not form.is_valid():
            return self._render(resident, form, status=422)
        try:
            key_person = key_person_create(
                acting_user=request.user, resident=resident, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self._render(resident, form, status=422)
        messages.success(
            request, _("%(name)s is now a key person.") % {"name": key_person.display_name}
        )
        return HttpResponseRedirect(key_person.get_absolute_url())

    def _render(self, resident, form, status=200):
        active = selectors.key_person_list(user=self.request.user, status="active").filter(
            resident=resident
        )
        return render(
            self.request,
            self.template_name,
            {"resident": resident, "form": form, "active_key_person": active.first()},
            status=status,
        )


class KeyPersonStatusView(ScopedViewMixin, View):
    """Move a key person to the next status; closing (released, transferred, moved away)
    needs a reason."""

    model = KeyPerson
    scope_action = "change"
    template_name = "keypersons/key_person_status.html"

    def get(self, request, pk):
        key_person = get_visible(KeyPerson, request.user, pk, "change")
        return self._render(key_person, KeyPersonStatusForm(key_person=key_person))

    def post(self, request, pk):
        key_person = get_visible(KeyPerson, request.user, pk, "change")
        form = KeyPersonStatusForm(request.POST, key_person=key_person)
        if not form.is_valid():
            return self._render(key_person, form, status=422)
        try:
            key_person = key_person_status_change(
                acting_user=request.user, key_person=key_person, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self._render(key_person, form, status=422)
        messages.success(
            request,
            _("%(name)s: %(status)s.")
            % {"name": key_person.display_name, "status": key_person.get_status_display()},
        )
        return HttpResponseRedirect(key_person.get_absolute_url())

    def _render(self, key_person, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"object": key_person, "form": form},
            status=status,
        )


class KeyPersonsFromScreeningView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST from a screening run's results page: `run` and either `results` (ids) or
    `category` (an origin category code: every linked result of it). Turns the results the
    user may see into key persons and lands on the key-person list of that run."""

    permission_required = "keypersons.add_keyperson"
    http_method_names = ["post"]

    def post(self, request):
        user = request.user
        run = get_visible(ScreeningRun, user, request.POST.get("run"))
        raw_ids = request.POST.getlist("results")
        category = request.POST.get("category", "").strip()
        if not raw_ids and not category:
            messages.error(request, _("Choose results, or a category of results."))
            return HttpResponseRedirect(run.get_absolute_url())
        ids = {int(raw) for raw in raw_ids if raw.strip().isdigit()} if raw_ids else None
        results = list(
            selectors.screening_results_for_key_persons(
                user=user, run=run, result_ids=ids, category_code=category
            )
        )
        if not results:
            messages.warning(request, _("None of the chosen results is linked to a resident."))
            return HttpResponseRedirect(run.get_absolute_url())
        try:
            created, existing = key_persons_from_screening(
                acting_user=user, run=run, results=results
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(run.get_absolute_url())
        message = _("%(added)d added, %(existing)d already key persons.") % {
            "added": len(created),
            "existing": len(existing),
        }
        skipped = len(ids) - len(results) if ids is not None else 0
        if skipped:
            message += " " + _(
                "%(skipped)d of the chosen results were left out: not linked to a resident "
                "yet, or not yours to see."
            ) % {"skipped": skipped}
        messages.success(request, message)
        return HttpResponseRedirect(f"{reverse('keypersons:list')}?run={run.pk}")
