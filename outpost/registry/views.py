import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from outpost.core.audit import record_history
from outpost.core.choices import UnitKind
from outpost.core.exports.tasks import export_enqueue, exports_of
from outpost.core.models import Unit
from outpost.core.roles import own_grid
from outpost.core.scoping import get_visible, user_scope_unit
from outpost.core.subject_requests.services import correction_reason, request_for_correction
from outpost.core.timeline import person_timeline
from outpost.core.viewmixins import (
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.core.views import CallView, RevealView
from outpost.registry import duplicates, selectors
from outpost.registry.choices import MemberPresence
from outpost.registry.exports import EXPORT_OF_KIND, LedgerKind
from outpost.registry.forms import (
    CampaignForm,
    LedgerExportForm,
    MemberFormSet,
    NewMemberFormSet,
    ResidentContactForm,
    ResidentFilterForm,
    ResidentMergeForm,
    VisitForm,
)
from outpost.registry.models import Campaign, Household, Resident, Visit, VisitMember
from outpost.registry.services import (
    VisitInputError,
    campaign_create,
    resident_merge,
    resident_update_contact,
    visit_record,
    visit_undo,
    visit_undo_until,
)


class HouseholdListView(ScopedListView):
    model = Household
    template_name = "registry/household_list.html"
    partial_template_name = "registry/partials/household_rows.html"

    def get_queryset(self):
        return selectors.household_list(user=self.request.user, query=self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A grid worker sees their own grid's door numbers, as on My grid.
        context["own_grid_id"] = getattr(own_grid(self.request.user), "pk", None)
        return context


class HouseholdDetailView(ScopedDetailView):
    model = Household
    template_name = "registry/household_detail.html"

    def get_queryset(self):
        return selectors.household_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["history"] = record_history(self.object)
        context["visits"] = selectors.household_visits(user=user, household=self.object)
        # A visit to record now: the newest open campaign over the household, if any.
        context["record_campaign"] = (
            selectors.campaigns_open_for_household(user=user, household=self.object).first()
            if user.has_perm("registry.add_visit")
            else None
        )
        context["own_grid_id"] = getattr(own_grid(self.request.user), "pk", None)
        context["may_call"] = selectors.may_call(self.request.user, self.object)
        return context


class HouseholdCallView(CallView):
    """The household's phone for a call by its grid worker or officer, logged."""

    model = Household

    def may_call(self, user, instance) -> bool:
        return selectors.may_call(user, instance)


class ResidentCallView(CallView):
    """A resident's phone for a call by their grid worker or officer, logged."""

    model = Resident

    def may_call(self, user, instance) -> bool:
        return selectors.may_call(user, instance)


class ResidentListView(ScopedListView):
    """Residents of the user's scope, searched (name, last four or full ID number or phone)
    and filtered (grid, residence type, age, key person, visited in a campaign). The count
    above the rows is the count of the filtered rows."""

    model = Resident
    template_name = "registry/resident_list.html"
    partial_template_name = "registry/partials/resident_rows.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        self.filter_form = ResidentFilterForm(
            request.GET or None,
            grids=Unit.objects.visible_to(user).filter(kind=UnitKind.GRID).order_by("path"),
            campaigns=selectors.campaign_list(user=user),
            age_bands=selectors.AGE_BANDS,
            with_key_persons=selectors.may_filter_key_persons(user),
        )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = selectors.ResidentFilters(**self.filter_form.filter_values())
        return selectors.resident_rows(user=self.request.user, filters=filters)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, filter_form=self.filter_form)


class ResidentDetailView(ScopedDetailView):
    model = Resident
    template_name = "registry/resident_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "household", "merged_into")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = record_history(self.object)
        context["may_call"] = selectors.may_call(self.request.user, self.object)
        context["can_edit"] = (
            Resident.objects.visible_to(self.request.user, "change")
            .filter(pk=self.object.pk)
            .exists()
        )
        context["merged_duplicates"] = list(
            Resident.objects.visible_to(self.request.user)
            .filter(merged_into=self.object)
            .order_by("pk")
        )
        context["timeline"] = person_timeline(user=self.request.user, resident=self.object)
        context["correction_request"] = _correction_request(self.request, self.object)
        return context


def _correction_request(request, resident: Resident):
    """The open request to correct named by `?request=` (a person's request, 个人信息更正),
    when it concerns this resident: its number becomes the reason of the correction."""
    pk = request.GET.get("request") or request.POST.get("request") or ""
    if not pk:
        return None
    subject_request = request_for_correction(user=request.user, pk=pk)
    if subject_request.subject_pk != resident.pk:
        raise Http404
    return subject_request


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
        context = {
            "form": form,
            "object": resident,
            "correction_request": _correction_request(request, resident),
        }
        return render(request, self.template_name, context)

    def post(self, request, pk):
        resident = get_visible(Resident, request.user, pk, "change")
        data = request.POST.copy()
        # The form shows the masked phone; leaving it untouched keeps the stored number.
        if data.get("phone", "") == resident.masked_phone:
            data["phone"] = resident.phone
        form = ResidentContactForm(data)
        correction = _correction_request(request, resident)
        if not form.is_valid():
            context = {"form": form, "object": resident, "correction_request": correction}
            return render(request, self.template_name, context, status=422)
        resident_update_contact(
            acting_user=request.user,
            resident=resident,
            reason=correction_reason(correction) if correction else None,
            **form.cleaned_data,
        )
        url = resident.get_absolute_url()
        if request.htmx:
            response = HttpResponseRedirect(url)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


# ---------------------------------------------------------------------------- campaigns


class CampaignListView(ScopedListView):
    """Screening campaigns (排查批次) that cover the user's unit or units under it."""

    model = Campaign
    template_name = "registry/campaign_list.html"

    def get_queryset(self):
        return selectors.campaign_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for campaign in context["object_list"]:
            campaign.state = selectors.campaign_state(campaign, today)
        return context


class CampaignCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    """A new campaign over units of the user's subtree (unit names only: no personal data)."""

    permission_required = "registry.add_campaign"
    form_class = CampaignForm
    template_name = "registry/campaign_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        today = timezone.localdate()
        unit = user_scope_unit(self.request.user)
        return {
            "start_date": today,
            "end_date": today + datetime.timedelta(days=13),
            "scope_units": [unit.pk] if unit else [],
        }

    def form_valid(self, form):
        try:
            campaign = campaign_create(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, messages_ in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
            return self.form_invalid(form)
        messages.success(self.request, _("Campaign %(name)s created.") % {"name": campaign.name})
        return HttpResponseRedirect(reverse("registry:campaign_detail", args=[campaign.pk]))


class CampaignDetailView(ScopedDetailView):
    """A campaign's progress: households visited / total and persons screened for the unit
    shown and each unit below it (rows lead one level down); on a grid, the households
    still to visit."""

    model = Campaign
    template_name = "registry/campaign_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        base = self._base_unit()
        context.update(
            base_unit=base,
            trail=selectors.unit_trail(user=user, unit=base),
            progress=selectors.campaign_progress(user=user, campaign=self.object, base=base),
            state=selectors.campaign_state(self.object),
            scope_units=selectors.campaign_scope_units(self.object),
            can_record=user.has_perm("registry.add_visit"),
        )
        return context

    def _base_unit(self) -> Unit:
        user = self.request.user
        raw = self.request.GET.get("unit")
        if raw:
            unit = Unit.objects.visible_to(user).filter(pk=raw if raw.isdigit() else 0).first()
            if unit is None:
                raise Http404
            return unit
        return user_scope_unit(user) or self.object.unit


# ---------------------------------------------------------------------------- my grid and visits


class MyGridView(ScopedListView):
    """The grid worker's work list (我的网格): the open campaign's households of their grid,
    those still to visit first, by address, with the next one a tap away."""

    model = Household
    template_name = "registry/my_grid.html"
    paginate_by = 100

    def get(self, request, *args, **kwargs):
        self.campaigns = list(selectors.campaigns_open(user=request.user))
        raw = request.GET.get("campaign")
        if raw:
            self.campaign = next((c for c in self.campaigns if str(c.pk) == raw), None)
            if self.campaign is None:
                raise Http404
        else:
            self.campaign = self.campaigns[0] if self.campaigns else None
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if self.campaign is None:
            return Household.objects.none()
        self.worklist = selectors.campaign_worklist(user=self.request.user, campaign=self.campaign)
        # 楼号 / 单元: the households of one building (and entrance), in the same order.
        self.building = self.request.GET.get("building", "").strip()[:20]
        self.entrance = self.request.GET.get("entrance", "").strip()[:10]
        rows = selectors.worklist_at(self.worklist, building=self.building, entrance=self.entrance)
        # ?todo=1: only the households still to visit (the home page's to-do line).
        if self.request.GET.get("todo") == "1":
            return rows.filter(visit_rank__lt=2)
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            campaign=self.campaign,
            campaigns=self.campaigns,
            todo_only=self.request.GET.get("todo") == "1",
        )
        if self.campaign is not None:
            context.update(
                building=self.building,
                entrance=self.entrance,
                filtered=bool(self.building or self.entrance),
                buildings=selectors.worklist_buildings(self.worklist),
            )
            # The progress and the next household are the whole worklist's, filtered or not.
            worklist = self.worklist
            context["counts"] = selectors.worklist_counts(worklist)
            page = context["object_list"]
            first = page[0] if page else None
            if first is not None and first.visit_rank < 2:
                context["next_household"] = first
            else:
                context["next_household"] = worklist.filter(visit_rank__lt=2).first()
        context["can_record"] = self.request.user.has_perm("registry.add_visit")
        return context


class VisitFormView(ScopedViewMixin, PermissionRequiredMixin, View):
    """One page, phone first: how the visit went and what each member declared.

    `pk` is the household; `?campaign=` picks the campaign (default: the newest open one
    that covers the household).
    """

    model = Household
    permission_required = "registry.add_visit"
    template_name = "registry/visit_form.html"

    def _load(self, request, pk):
        user = request.user
        self.household = get_visible(Household, user, pk)
        campaigns = selectors.campaigns_open_for_household(user=user, household=self.household)
        raw = request.POST.get("campaign") or request.GET.get("campaign")
        if raw:
            self.campaign = campaigns.filter(pk=raw if str(raw).isdigit() else 0).first()
            if self.campaign is None:
                raise Http404
        else:
            self.campaign = campaigns.first()
        self.visit = (
            selectors.visit_for(user=user, campaign=self.campaign, household=self.household)
            if self.campaign
            else None
        )
        self.residents = selectors.visit_form_residents(
            user=user, household=self.household, visit=self.visit
        )

    def get(self, request, pk):
        self._load(request, pk)
        if self.campaign is None:
            return self._render({})
        visit_form = VisitForm(initial=self._visit_initial())
        members = MemberFormSet(
            prefix="m", residents=self.residents, initial=self._members_initial()
        )
        new_members = NewMemberFormSet(prefix="new")
        return self._render(
            {"visit_form": visit_form, "members": members, "new_members": new_members}
        )

    def post(self, request, pk):
        self._load(request, pk)
        if self.campaign is None:
            return self._render({}, status=422)
        visit_form = VisitForm(request.POST)
        members = MemberFormSet(request.POST, prefix="m", residents=self.residents)
        new_members = NewMemberFormSet(request.POST, prefix="new")
        forms_ok = visit_form.is_valid() & members.is_valid() & new_members.is_valid()
        context = {"visit_form": visit_form, "members": members, "new_members": new_members}
        if not forms_ok:
            return self._render(context, status=422)
        report_forms = list(members.forms)
        report_forms += [
            form
            for form in new_members.forms
            if form.has_changed() and not form.cleaned_data.get("DELETE")
        ]
        try:
            visit = visit_record(
                acting_user=request.user,
                campaign=self.campaign,
                household=self.household,
                outcome=visit_form.cleaned_data["outcome"],
                members=[form.to_report() for form in report_forms],
                phone_confirmed=visit_form.cleaned_data["phone_confirmed"],
                note=visit_form.cleaned_data["note"],
            )
        except VisitInputError as exc:
            for field, messages_ in exc.visit_errors.items():
                visit_form.add_error(field if field == "outcome" else None, messages_)
            for index, fields in exc.member_errors.items():
                form = report_forms[index]
                for field, messages_ in fields.items():
                    form.add_error(field if field in form.fields else None, messages_)
            return self._render(context, status=422)
        if visit.sent_to_station:
            messages.info(
                request,
                _("%(names)s will be checked by the station before being added.")
                % {"names": "、".join(visit.sent_to_station)},
            )
        # What was recorded, with undo for a while, before the next household.
        return HttpResponseRedirect(reverse("registry:visit_saved", args=[visit.pk]))

    def _render(self, context, status=200):
        forms = [context.get("visit_form")]
        forms += list(context["members"].forms) if "members" in context else []
        forms += list(context["new_members"].forms) if "new_members" in context else []
        summary = _error_summary(form for form in forms if form is not None)
        for formset in (context.get("members"), context.get("new_members")):
            if formset is not None and formset.is_bound:
                summary += [str(error) for error in formset.non_form_errors()]
        context.update(
            household=self.household,
            campaign=self.campaign,
            visit=self.visit,
            error_summary=summary,
        )
        return render(self.request, self.template_name, context, status=status)

    def _visit_initial(self) -> dict:
        initial = {"campaign": self.campaign.pk}
        if self.visit is not None:
            initial.update(
                outcome=self.visit.outcome,
                phone_confirmed=self.visit.phone_confirmed,
                note=self.visit.note,
            )
        return initial

    def _members_initial(self) -> list[dict]:
        recorded = {m.resident_id: m for m in self.visit.members.all()} if self.visit else {}
        initial = []
        for resident in self.residents:
            member = recorded.get(resident.pk)
            row = {"resident": resident.pk}
            if member is not None:
                row.update(
                    presence=(
                        MemberPresence.PRESENT
                        if member.presence == MemberPresence.NEW
                        else member.presence
                    ),
                    travelled="yes" if member.travelled else "no",
                    origin_place=member.origin_place,
                    returned_on=member.returned_on,
                    transport=member.transport,
                    health_status=member.health_status,
                    phone_confirmed=member.phone_confirmed,
                )
            initial.append(row)
        return initial


class VisitSavedView(ScopedViewMixin, View):
    """What a visit recorded (`pk`), right after saving: the outcome and each member's
    answers; undo (撤销) while the one who recorded it still may; the next household."""

    model = Visit
    template_name = "registry/visit_saved.html"

    def get(self, request, pk):
        visit = get_visible(Visit, request.user, pk)
        members = (
            VisitMember.objects.visible_to(request.user)
            .filter(visit=visit)
            .select_related("resident")
            .order_by("pk")
        )
        household = visit.household
        following = selectors.next_unvisited_household(
            user=request.user, campaign=visit.campaign, grid=household.unit, after=household
        )
        query = f"?campaign={visit.campaign_id}"
        return render(
            request,
            self.template_name,
            {
                "visit": visit,
                "household": household,
                "members": members,
                "undo_until": visit_undo_until(visit, request.user),
                "next_url": (
                    reverse("registry:visit_form", args=[following.pk]) + query
                    if following is not None
                    else None
                ),
                "grid_url": reverse("registry:my_grid") + query,
                "edit_url": reverse("registry:visit_form", args=[household.pk]) + query,
            },
        )


class VisitUndoView(ScopedViewMixin, PermissionRequiredMixin, View):
    """Undo the visit just recorded (撤销), then back to its form; POST only."""

    model = Visit
    permission_required = "registry.add_visit"
    http_method_names = ["post"]

    def post(self, request, pk):
        visit = get_visible(Visit, request.user, pk)
        household, campaign_id = visit.household, visit.campaign_id
        try:
            visit_undo(acting_user=request.user, visit=visit)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(reverse("registry:visit_saved", args=[visit.pk]))
        messages.success(
            request,
            _("The visit to household %(number)s is undone.")
            % {"number": household.household_number},
        )
        return HttpResponseRedirect(
            reverse("registry:visit_form", args=[household.pk]) + f"?campaign={campaign_id}"
        )


def _error_summary(forms) -> list[str]:
    summary = []
    for form in forms:
        name = getattr(form, "member_name", "")
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                parts = [str(p) for p in (name, label) if p]
                summary.append(f"{' · '.join(parts)}: {error}" if parts else str(error))
    return summary


class VisitAddMemberView(ScopedViewMixin, PermissionRequiredMixin, View):
    """The htmx fragment of the visit form: one more row for a person not yet registered."""

    model = Household
    permission_required = "registry.add_visit"
    template_name = "registry/partials/visit_new_member.html"

    def get(self, request, pk):
        get_visible(Household, request.user, pk)
        raw = request.GET.get("new-TOTAL_FORMS", "0")
        index = int(raw) if raw.isdigit() else 0
        limit = NewMemberFormSet.max_num
        form = None
        if index < limit:
            form = NewMemberFormSet(prefix="new").empty_form
            form.prefix = f"new-{index}"
        return render(
            request,
            self.template_name,
            {"form": form, "index": index, "total": min(index + 1, limit), "limit": limit},
        )


# ---------------------------------------------------------------------------- duplicates


class DuplicateListView(ScopedListView):
    """Likely duplicate persons (疑似重复人员) in the user's scope, pair by pair, masked."""

    model = Resident
    scope_action = "change"
    template_name = "registry/duplicate_list.html"

    def get_queryset(self):
        return duplicates.duplicate_pair_keys(user=self.request.user, action="change")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pairs"] = duplicates.duplicate_pairs(
            user=self.request.user, keys=context["object_list"]
        )
        return context


class ResidentMergeView(ScopedViewMixin, View):
    """Merge a record with another of the same person (合并重复人员).

    Without `?with=`: the record's likely duplicates, and a search, to pick the other one.
    With it: both records side by side, masked, to choose the record to keep and, for
    each differing value, whose value to keep.
    """

    model = Resident
    scope_action = "change"
    template_name = "registry/resident_merge.html"

    def get(self, request, pk):
        resident = get_visible(Resident, request.user, pk, "change")
        other_pk = request.GET.get("with")
        if other_pk:
            other = get_visible(Resident, request.user, other_pk, "change")
            return self._compare(resident, ResidentMergeForm(first=resident, second=other))
        query = request.GET.get("q", "").strip()
        found = []
        if query and resident.merged_into_id is None:
            found = list(
                selectors.resident_list(user=request.user, query=query)
                .filter(is_active=True, merged_into__isnull=True)
                .exclude(pk=resident.pk)[:20]
            )
        return render(
            request,
            self.template_name,
            {
                "object": resident,
                "candidates": duplicates.duplicates_of(
                    user=request.user, resident=resident, action="change"
                )
                if resident.merged_into_id is None
                else [],
                "found": found,
                "query": query,
            },
        )

    def post(self, request, pk):
        resident = get_visible(Resident, request.user, pk, "change")
        other = get_visible(Resident, request.user, request.POST.get("with"), "change")
        form = ResidentMergeForm(request.POST, first=resident, second=other)
        if not form.is_valid():
            return self._compare(resident, form, status=422)
        try:
            outcome = resident_merge(acting_user=request.user, **form.merge_arguments())
        except ValidationError as exc:
            form.add_error(None, exc)
            return self._compare(resident, form, status=422)
        message = _("Record %(duplicate)s was merged into %(keep)s (%(name)s).") % {
            "duplicate": outcome.duplicate.pk,
            "keep": outcome.keep.pk,
            "name": outcome.keep.name,
        }
        if outcome.visits_moved or outcome.visits_left:
            message += " " + _(
                "Visit records moved: %(moved)d; left with the merged record because the kept "
                "one was already on that visit: %(left)d."
            ) % {"moved": outcome.visits_moved, "left": outcome.visits_left}
        messages.success(request, message)
        return HttpResponseRedirect(outcome.keep.get_absolute_url())

    def _compare(self, resident, form, status=200):
        records = (form.first, form.second)
        facts = [
            (_("Record number"), [r.pk for r in records]),
            (
                _("Created"),
                [timezone.localtime(r.created_at).strftime("%Y-%m-%d") for r in records],
            ),
            (
                _("Visit records"),
                [VisitMember.objects.filter(resident=r).count() for r in records],
            ),
        ]
        problems = [
            _("%(name)s (record %(number)s) was already merged into another record.")
            % {"name": r.name, "number": r.pk}
            for r in records
            if r.merged_into_id is not None
        ]
        if form.first.pk == form.second.pk:
            problems.append(_("A record cannot be merged with itself."))
        return render(
            self.request,
            self.template_name,
            {
                "object": resident,
                "other": form.second,
                "form": form,
                "rows": form.bound_rows(),
                "facts": facts,
                "problems": problems,
            },
            status=status,
        )


# ---------------------------------------------------------------------------- ledger exports


class LedgerExportView(ScopedViewMixin, PermissionRequiredMixin, FormView):
    """Export a ledger (台账) of one unit of the user's scope, as a background task.

    Scoped by unit: the list offers the user's units only, and a unit (or campaign) from
    outside the user's scope is a 404. Below the form, the user's own recent exports.
    `?kind=…&unit=…&campaign=…` preselects (e.g. from a campaign's progress page).
    """

    model = Unit
    template_name = "registry/ledger_export.html"
    form_class = LedgerExportForm
    permission_required = (
        "registry.view_resident",
        "registry.view_household",
        "registry.view_campaign",
    )

    def has_permission(self):
        user = self.request.user
        return any(user.has_perm(permission) for permission in self.permission_required)

    def get_initial(self):
        unit = user_scope_unit(self.request.user)
        get = self.request.GET
        return {
            "kind": get.get("kind", LedgerKind.RESIDENTS),
            "unit": int(get["unit"])
            if get.get("unit", "").isdigit()
            else getattr(unit, "pk", None),
            "campaign": int(get["campaign"]) if get.get("campaign", "").isdigit() else None,
        }

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "user": user,
            "units": list(self.get_scoped_queryset().order_by("path")),
            "campaigns": list(selectors.campaign_list(user=user)),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        recent = exports_of(
            user=user, names=[definition.name for definition in EXPORT_OF_KIND.values()]
        )
        unit_ids = {result.kwargs["params"].get("unit_id") for _summary, result in recent}
        names = dict(
            Unit.objects.visible_to(user).filter(pk__in=unit_ids).values_list("pk", "name")
        )
        context["exports"] = [
            {"export": summary, "unit": names.get(result.kwargs["params"].get("unit_id"), "")}
            for summary, result in recent
        ]
        return context

    def post(self, request, *args, **kwargs):
        # Out of scope is a 404, not a form error: a form error would confirm it exists.
        for model, field in ((Unit, "unit"), (Campaign, "campaign")):
            if request.POST.get(field):
                get_visible(model, request.user, request.POST[field])
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        kind = LedgerKind(data["kind"])
        params = {"unit_id": data["unit"]}
        if kind == LedgerKind.CAMPAIGN_PROGRESS:
            params["campaign_id"] = data["campaign"]
        try:
            result = export_enqueue(
                export_name=EXPORT_OF_KIND[kind].name,
                params=params,
                request=self.request,
                unmasked=bool(data["unmasked"]),
                purpose=data["purpose"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("core:export_status", args=[result.id]))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)
