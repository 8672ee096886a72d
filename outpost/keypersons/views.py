"""Key-person pages (重点人员): list, detail, new (a resident or a person not registered),
status change, reveal, and the action that turns screening results into key persons."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView

from outpost.core.audit import record_history
from outpost.core.batch import batch_apply, batch_report, selected_ids
from outpost.core.exports.views import UnitPeriodExportView
from outpost.core.models import Unit
from outpost.core.roles import user_calls
from outpost.core.scoping import get_visible, user_covers
from outpost.core.timeline import person_timeline
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.core.views import CallView, RevealView
from outpost.keypersons import selectors
from outpost.keypersons.choices import MemberStatus
from outpost.keypersons.exports import ContactLedgerExport
from outpost.keypersons.forms import (
    ContactForm,
    ContactLedgerForm,
    KeyPersonFilterForm,
    KeyPersonNewPersonForm,
    KeyPersonResidentForm,
    KeyPersonStatusForm,
    TeamForm,
)
from outpost.keypersons.models import KeyPerson
from outpost.keypersons.services import (
    contact_log,
    key_person_create,
    key_person_phone,
    key_person_status_change,
    key_persons_from_screening,
    may_call,
    may_log_contact,
    team_confirm,
    team_propose,
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
        can_change = (
            self.object.is_active
            and KeyPerson.objects.visible_to(user, "change").filter(pk=self.object.pk).exists()
        )
        team = list(selectors.current_team(user=user, key_person=self.object))
        context.update(
            sources=selectors.key_person_sources(user=user, key_person=self.object),
            history=record_history(self.object),
            can_change=can_change,
            may_change_status=can_change
            and bool(selectors.key_person_next_statuses(user, self.object)),
            # An open episode has no end date; its page is where the observation goes on.
            open_episode=self.object.episodes.filter(ended_on__isnull=True).first(),
            team=team,
            team_proposed=any(member.status == "proposed" for member in team),
            can_team=can_change and user.has_perm("keypersons.change_teammember"),
            can_log=self.object.is_active and may_log_contact(user, self.object),
            may_call=may_call(user, self.object),
            contacts=selectors.contact_entries(user=user, key_person=self.object)[:10],
            contact_state=selectors.with_contact_state(KeyPerson.objects.filter(pk=self.object.pk))
            .values("last_contact_at", "is_overdue")
            .first(),
            timeline=self._timeline(),
        )
        return context

    def _timeline(self):
        # The whole story when the user may see the resident; else the key person's own.
        user, person = self.request.user, self.object
        resident = (
            Resident.objects.visible_to(user).filter(pk=person.resident_id).first()
            if person.resident_id
            else None
        )
        if resident is not None:
            return person_timeline(user=user, resident=resident)
        return person_timeline(user=user, key_person=person)


class KeyPersonRevealView(RevealView):
    """The unmasked ID number and phone of a person not in the registry (a registered
    resident's are revealed on the resident's page)."""

    model = KeyPerson
    reveal_fields = ("id_number", "phone")


class KeyPersonCallView(CallView):
    """The key person's phone for a call by a member of their four-on-one team, logged."""

    model = KeyPerson

    def phone_of(self, instance) -> str:
        return key_person_phone(instance)

    def may_call(self, user, instance) -> bool:
        return may_call(user, instance)


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
        if key_person.sent_to_station:
            messages.info(self.request, _("The record will be checked by the station."))
        return HttpResponseRedirect(key_person.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)


class KeyPersonFromResidentView(PermissionRequiredMixin, ScopedActionView):
    """Make one resident of the registry a key person (`pk` is the resident)."""

    model = Resident
    scope_action = "view"
    permission_required = "keypersons.add_keyperson"
    template_name = "keypersons/key_person_resident_form.html"
    context_object_name = "resident"
    form_class = KeyPersonResidentForm

    def get_context(self, resident):
        active = selectors.key_person_list(user=self.request.user, status="active").filter(
            resident=resident
        )
        return {"active_key_person": active.first()}

    def perform(self, resident, data):
        self.created = key_person_create(acting_user=self.request.user, resident=resident, **data)
        return _("%(name)s is now a key person.") % {"name": self.created.display_name}

    def get_success_url(self, resident):
        return self.created.get_absolute_url()


class KeyPersonStatusView(ScopedActionView):
    """Move a key person to the next status; closing (released, transferred, moved away)
    needs a reason."""

    model = KeyPerson
    scope_action = "change"
    template_name = "keypersons/key_person_status.html"

    def get_form(self, key_person, data=None):
        return KeyPersonStatusForm(data, key_person=key_person, user=self.request.user)

    def perform(self, key_person, data):
        key_person = key_person_status_change(
            acting_user=self.request.user, key_person=key_person, **data
        )
        return _("%(name)s: %(status)s.") % {
            "name": key_person.display_name,
            "status": key_person.get_status_display(),
        }


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


# ---------------------------------------------------------------------------- teams and contacts


def _unit_filter(request):
    raw = request.GET.get("unit", "")
    return get_visible(Unit, request.user, raw) if raw else None


class MyKeyPersonsView(ScopedListView):
    """A worker's own four-on-one list (我的包保对象): the active key persons they hold a
    team place for, overdue ones first, each with a big "Log contact" button. A supervisor
    opens a worker's list with `?worker=`."""

    model = KeyPerson
    template_name = "keypersons/my_key_persons.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        raw = request.GET.get("worker")
        self.worker = (
            selectors.visible_worker(user=request.user, worker_id=raw) if raw else request.user
        )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # ?contact=overdue or ?contact=today: the home page's to-do lines.
        self.contact = self.request.GET.get("contact", "")
        return list(
            selectors.my_key_persons_by_contact(
                user=self.request.user, worker=self.worker, contact=self.contact
            )
            .select_related(None)
            .values_list("pk", flat=True)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = selectors.in_order(
            selectors.my_key_persons(user=self.request.user, worker=self.worker),
            context["object_list"],
        )
        own_list = self.worker.pk == self.request.user.pk
        calls = own_list and user_calls(self.request.user)
        for key_person in page:
            key_person.may_call = calls and may_call(
                self.request.user, key_person, holds_place=True, calls=True
            )
        context.update(
            object_list=page,
            worker=self.worker,
            own_list=self.worker.pk == self.request.user.pk,
            overdue_on_page=sum(1 for key_person in page if key_person.is_overdue),
            contact=self.contact,
            can_log=self.worker.pk == self.request.user.pk
            and self.request.user.has_perm("keypersons.add_contactentry"),
        )
        return context


class ContactNewView(ScopedViewMixin, View):
    """Log a contact with one key person (联系登记): how, outcome, when, note; below, the
    person's recent contacts. Team members and users who may change the key person log."""

    model = KeyPerson
    template_name = "keypersons/contact_form.html"

    def get(self, request, pk):
        key_person = get_visible(KeyPerson, request.user, pk)
        return self._render(key_person, ContactForm())

    def post(self, request, pk):
        key_person = get_visible(KeyPerson, request.user, pk)
        form = ContactForm(request.POST)
        if not form.is_valid():
            return self._render(key_person, form, status=422)
        try:
            contact_log(acting_user=request.user, key_person=key_person, **form.cleaned_data)
        except PermissionDenied:
            return self._render(key_person, form, status=403)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self._render(key_person, form, status=422)
        messages.success(
            request, _("Contact with %(name)s logged.") % {"name": key_person.display_name}
        )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("keypersons:mine")
        return HttpResponseRedirect(target or reverse("keypersons:mine"))

    def _render(self, key_person, form, status=200):
        user = self.request.user
        return render(
            self.request,
            self.template_name,
            {
                "object": key_person,
                "form": form,
                "can_log": key_person.is_active and may_log_contact(user, key_person),
                "contacts": selectors.contact_entries(user=user, key_person=key_person)[:10],
                "next": self.request.GET.get("next") or self.request.POST.get("next", ""),
            },
            status=status,
        )


class TeamView(ScopedViewMixin, View):
    """A key person's four-on-one team (四包一): the proposed or current member of each
    place, among the workers who may take it (fewest places first); confirm or change."""

    model = KeyPerson
    scope_action = "change"
    template_name = "keypersons/team_form.html"

    def _form(self, key_person, data=None):
        roles = selectors.team_roles()
        current = {
            member.role_id: member
            for member in selectors.current_team(user=self.request.user, key_person=key_person)
        }
        return TeamForm(data, key_person=key_person, roles=roles, current=current), current

    def get(self, request, pk):
        key_person = get_visible(KeyPerson, request.user, pk, "change")
        form, current = self._form(key_person)
        return self._render(key_person, form, current)

    def post(self, request, pk):
        key_person = get_visible(KeyPerson, request.user, pk, "change")
        try:
            if request.POST.get("action") == "propose":
                proposed = team_propose(acting_user=request.user, key_person=key_person)
                messages.info(request, _("%(n)d places proposed.") % {"n": len(proposed)})
                return HttpResponseRedirect(reverse("keypersons:team", args=[key_person.pk]))
            form, current = self._form(key_person, request.POST)
            if not form.is_valid():
                return self._render(key_person, form, current, status=422)
            team_confirm(acting_user=request.user, key_person=key_person, workers=form.workers())
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form, current = self._form(key_person, request.POST)
            form.is_valid()
            form_add_service_errors(form, exc)
            return self._render(key_person, form, current, status=422)
        messages.success(request, _("Team confirmed."))
        return HttpResponseRedirect(key_person.get_absolute_url())

    def _render(self, key_person, form, current, status=200):
        rows = [(form[role.code], current.get(role.pk)) for role in form.roles]
        return render(
            self.request,
            self.template_name,
            {"object": key_person, "form": form, "rows": rows},
            status=status,
        )


class CoverageView(ScopedListView):
    """Four-on-one coverage (包保覆盖): active key persons whose team lacks a confirmed
    member in some place, and each worker with their number of places."""

    model = KeyPerson
    template_name = "keypersons/coverage.html"
    paginate_by = 30

    def get(self, request, *args, **kwargs):
        self.unit = _unit_filter(request)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return list(
            selectors.incomplete_teams(user=self.request.user, unit=self.unit)
            .select_related(None)
            .values_list("pk", flat=True)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roles = selectors.team_roles()
        page = selectors.in_order(
            KeyPerson.objects.visible_to(self.request.user).select_related("resident", "unit"),
            context["object_list"],
        )
        places = selectors.current_places(key_person.pk for key_person in page)
        rows = [
            (
                key_person,
                [(role, places.get(key_person.pk, {}).get(role.pk)) for role in roles],
            )
            for key_person in page
        ]
        # Teams with a proposal may be confirmed together (批量确认包保).
        for key_person in page:
            key_person.has_proposal = any(
                place["status"] == MemberStatus.PROPOSED
                for place in places.get(key_person.pk, {}).values()
            )
        context.update(
            may_confirm=_may_confirm_teams(self.request.user),
            rows=rows,
            roles=roles,
            unit=self.unit,
            units=selectors.filter_units(user=self.request.user),
            workers=selectors.worker_loads(user=self.request.user, unit=self.unit),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Confirm the proposed teams of the ticked key persons, each through
        `team_confirm` (its right, its scope, its checks and audit rows, the inbox messages
        to the workers), then the page again with what was confirmed and refused and why."""
        if not _may_confirm_teams(request.user):
            raise Http404
        ids = selected_ids(request.POST)
        records = {
            key_person.pk: key_person
            for key_person in KeyPerson.objects.visible_to(request.user)
            .select_related("resident")
            .filter(pk__in=ids)
        }
        result = batch_apply(
            ids=ids,
            records=records,
            label=lambda key_person: key_person.display_name,
            action=lambda key_person: _confirm_proposal(request.user, key_person),
        )
        batch_report(
            request,
            result,
            done_message=ngettext(
                "%(n)d team confirmed.", "%(n)d teams confirmed.", len(result.done)
            )
            % {"n": len(result.done)},
        )
        query = request.GET.urlencode()
        return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))


def _may_confirm_teams(user) -> bool:
    return user.has_perm("keypersons.change_keyperson") and user.has_perm(
        "keypersons.change_teammember"
    )


def _confirm_proposal(user, key_person: KeyPerson) -> None:
    """Confirm the team as proposed; a team with nothing proposed is refused, not a no-op
    counted as done."""
    if not selectors.has_proposed_member(key_person):
        raise ValidationError(_("Nothing is proposed on this team to confirm."))
    team_confirm(acting_user=user, key_person=key_person)


class OverdueView(ScopedListView):
    """Overdue contacts (超时未联系): key persons under management not contacted within the
    contact rule, with counts per community and per worker; `?unit=` a community or grid,
    `?worker=` one worker's."""

    model = KeyPerson
    template_name = "keypersons/overdue.html"

    def get(self, request, *args, **kwargs):
        self.unit = _unit_filter(request)
        raw = request.GET.get("worker")
        self.worker = selectors.visible_worker(user=request.user, worker_id=raw) if raw else None
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # The rule is evaluated once: the ids in order, then the page's rows by id.
        self.rows = selectors.overdue_rows(
            user=self.request.user, unit=self.unit, worker=self.worker
        )
        return [pk for pk, _community in self.rows]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = selectors.in_order(
            selectors.with_contact_state(
                KeyPerson.objects.visible_to(self.request.user)
            ).select_related("resident", "unit"),
            context["object_list"],
        )
        context.update(
            object_list=page,
            unit=self.unit,
            worker=self.worker,
            units=selectors.filter_units(user=self.request.user),
            by_community=[
                # A grid worker's community is above their grid: named, not a link.
                {**row, "linkable": user_covers(self.request.user, row["unit"])}
                for row in selectors.overdue_by_community(self.rows)
            ],
            by_worker=selectors.overdue_by_worker(self.object_list, limit=50),
        )
        return context


class ContactLedgerExportView(UnitPeriodExportView):
    """Export the contact ledger (工作台账) of a community or grid over a date range, as a
    background task; the unit list offers the user's units only, another is a 404."""

    export_name = ContactLedgerExport.name
    permission_required = "keypersons.view_contactentry"
    form_class = ContactLedgerForm
    template_name = "keypersons/ledger_export.html"
