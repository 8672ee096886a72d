"""Pages of enforcement cases: thin views on core's scoped bases; every write goes through
`services`, every read through `selectors`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from outpost.cases import selectors, services
from outpost.cases.choices import CaseKind, CaseState, DisposalStatus, ItemState, MeasureKind
from outpost.cases.exports import (
    CaseLedgerExport,
    SeizedItemsLedgerExport,
    measure_text,
    seized_items_context,
)
from outpost.cases.forms import (
    CaseForm,
    DecideForm,
    DisposalForm,
    LedgerExportForm,
    MeasureForm,
    MoveForm,
    PartyForm,
    PhotoForm,
    SeizeForm,
    TransitionForm,
)
from outpost.cases.models import Case, DisposalRequest, ItemPhoto, SeizedItem
from outpost.cases.todo import overdue_cases
from outpost.core.audit import record_history
from outpost.core.exports.views import UnitPeriodExportView
from outpost.core.models import Unit
from outpost.core.scoping import get_visible, user_scope_unit
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)


class CaseListView(ScopedListView):
    """The case ledger (案件台账) of the user's scope, by kind and state."""

    model = Case
    template_name = "cases/case_list.html"

    def get_queryset(self):
        get = self.request.GET
        kind = get.get("kind", "") if get.get("kind") in CaseKind.values else ""
        state = get.get("state", "") if get.get("state") in CaseState.values else ""
        if get.get("overdue") == "1":
            return overdue_cases(user=self.request.user).select_related("unit")
        return selectors.case_list(user=self.request.user, kind=kind, state=state)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            kinds=CaseKind.choices,
            states=CaseState.choices,
            kind=self.request.GET.get("kind", ""),
            state=self.request.GET.get("state", ""),
        )
        return context


class CaseCreateView(ScopedViewMixin, PermissionRequiredMixin, View):
    """Put a new case on the ledger."""

    model = Unit
    permission_required = "cases.add_case"

    def get(self, request):
        return self._render(CaseForm(user=request.user))

    def post(self, request):
        form = CaseForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            get_visible(Unit, request.user, data["unit"].pk)
            try:
                case = services.case_register(acting_user=request.user, **data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Case %(number)s registered.") % {"number": case})
                return HttpResponseRedirect(case.get_absolute_url())
        return self._render(form, status=422)

    def _render(self, form, status=200):
        return render(self.request, "cases/case_form.html", {"form": form}, status=status)


def _case_context(case: Case, user, **forms) -> dict:
    measures = list(case.measures.select_related("party"))
    for measure in measures:
        measure.text = measure_text(measure)
    return {
        "object": case,
        "case": case,
        "parties": list(case.parties.all()),
        "measures": measures,
        "items": list(case.items.select_related("holder__staff_profile")),
        "officers": list(case.officers.select_related("staff_profile")),
        "transitions": services.allowed_transitions(case, user),
        "is_open": case.state != CaseState.CLOSED,
        "party_form": forms.get("party_form") or PartyForm(),
        "measure_form": forms.get("measure_form") or MeasureForm(case=case),
        "seize_form": forms.get("seize_form") or SeizeForm(),
        "history": record_history(case),
        "today": timezone.localdate(),
        "MeasureKind": MeasureKind,
    }


class CaseDetailView(ScopedDetailView):
    model = Case
    template_name = "cases/case_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "resident", "enterprise")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_case_context(self.object, self.request.user))
        return context


class _CaseAction(ScopedActionView):
    """An action posted from the case's page; an invalid form shows the page again with
    the errors next to the fields (422), nothing written."""

    model = Case
    scope_action = "change"
    template_name = "cases/case_detail.html"
    form_key = ""

    def render(self, obj, form, status=200):
        context = _case_context(obj, self.request.user, **{self.form_key: form})
        return render(self.request, self.template_name, context, status=status)


class CaseTransitionView(_CaseAction):
    form_class = TransitionForm
    form_key = "transition_form"

    def perform(self, obj, data):
        case = services.case_transition(
            acting_user=self.request.user, case=obj, to_state=data["to_state"], note=data["note"]
        )
        return _("The case is now %(state)s.") % {"state": case.get_state_display()}


class PartyAddView(_CaseAction):
    form_class = PartyForm
    form_key = "party_form"

    def perform(self, obj, data):
        party = services.party_add(acting_user=self.request.user, case=obj, **data)
        return _("%(name)s added to the case.") % {"name": party.name}


class MeasureAddView(_CaseAction):
    form_key = "measure_form"

    def get_form(self, obj, data=None):
        return MeasureForm(data, case=obj)

    def perform(self, obj, data):
        measure = services.measure_record(acting_user=self.request.user, case=obj, **data)
        plan = measure.plan
        if plan is not None:
            return _("Detention recorded: in custody from %(start)s to %(end)s.") % {
                "start": plan.starts_on.isoformat(),
                "end": plan.ends_on.isoformat(),
            }
        return _("%(measure)s recorded.") % {"measure": measure.get_kind_display()}


class SeizeView(_CaseAction):
    form_class = SeizeForm
    form_key = "seize_form"

    def perform(self, obj, data):
        item = services.item_seize(acting_user=self.request.user, case=obj, **data)
        return _("%(item)s seized and in your custody.") % {"item": item}


# ---------------------------------------------------------------------------- seized items


class ItemListView(ScopedListView):
    """The seized-items ledger (扣押物品台账) of the user's scope."""

    model = SeizedItem
    template_name = "cases/item_list.html"

    def get_queryset(self):
        state = self.request.GET.get("state", "")
        state = state if state in ItemState.values else ""
        return selectors.item_list(user=self.request.user, state=state).order_by(
            "-case__occurred_on", "case", "pk"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(states=ItemState.choices, state=self.request.GET.get("state", ""))
        return context


def _item_context(item: SeizedItem, user, **forms) -> dict:
    holds = item.holder_id == user.pk and item.state not in (
        ItemState.RETURNED,
        ItemState.DESTROYED,
    )
    pending = item.disposals.filter(status=DisposalStatus.PENDING).first()
    may_change = user.has_perm("cases.change_seizeditem")
    return {
        "object": item,
        "item": item,
        "chain": list(selectors.custody_chain(item, user)),
        "photos": list(item.photos.all()),
        "holds": holds and may_change,
        "pending": pending,
        "may_decide": pending is not None
        and pending.requested_by_id != user.pk
        and user.has_perm("cases.change_disposalrequest"),
        "may_add_photo": user.has_perm("cases.add_itemphoto"),
        "move_form": forms.get("move_form")
        or MoveForm(colleagues=services.case_colleagues(item.case)),
        "disposal_form": forms.get("disposal_form") or DisposalForm(),
        "decide_form": forms.get("decide_form") or DecideForm(),
        "photo_form": forms.get("photo_form") or PhotoForm(),
    }


class ItemDetailView(ScopedDetailView):
    model = SeizedItem
    template_name = "cases/item_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("case__unit", "holder__staff_profile")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_item_context(self.object, self.request.user))
        return context


class _ItemAction(ScopedActionView):
    model = SeizedItem
    scope_action = "change"
    template_name = "cases/item_detail.html"
    form_key = ""

    def render(self, obj, form, status=200):
        context = _item_context(obj, self.request.user, **{self.form_key: form})
        # The form may be one the page no longer offers (the item changed hands): its
        # errors show at the top.
        context["errors"] = [
            f"{form.fields[name].label}: {error}" if name in form.fields else error
            for name, errors in form.errors.items()
            for error in errors
        ]
        return render(self.request, self.template_name, context, status=status)


class ItemMoveView(_ItemAction):
    form_key = "move_form"

    def get_form(self, obj, data=None):
        return MoveForm(data, colleagues=services.case_colleagues(obj.case))

    def perform(self, obj, data):
        move = services.item_move(acting_user=self.request.user, item=obj, **data)
        return _("%(step)s recorded.") % {"step": move.get_kind_display()}


class DisposalRequestView(_ItemAction):
    form_class = DisposalForm
    form_key = "disposal_form"

    def perform(self, obj, data):
        services.disposal_request(acting_user=self.request.user, item=obj, **data)
        return _("Disposal asked for: a second officer approves it.")


class DisposalDecideView(_ItemAction):
    form_class = DecideForm
    form_key = "decide_form"

    def perform(self, obj, data):
        pending = obj.disposals.filter(status=DisposalStatus.PENDING).first()
        if pending is None:
            raise ValidationError(_("Nothing waits for approval on this item."))
        decided = services.disposal_decide(
            acting_user=self.request.user, disposal=pending, approve=data["approve"]
        )
        return _("Disposal %(status)s.") % {"status": decided.get_status_display()}


class PhotoAddView(_ItemAction):
    form_key = "photo_form"

    def get_form(self, obj, data=None):
        return PhotoForm(data, self.request.FILES or None)

    def perform(self, obj, data):
        services.photo_add(acting_user=self.request.user, item=obj, upload=data["photo"])
        return _("Photo added.")


class PhotoView(ScopedDetailView):
    """A photo of a seized item, served from the storage to who may see the item only."""

    model = ItemPhoto

    def get(self, request, *args, **kwargs):
        photo = self.get_object()
        try:
            handle = photo.image.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        return FileResponse(
            handle, content_type="image/png" if photo.image.name.endswith(".png") else "image/jpeg"
        )


class DisposalListView(ScopedListView):
    """Disposal requests of colleagues waiting for the user's approval (second officer)."""

    model = DisposalRequest
    template_name = "cases/disposal_list.html"

    def get_queryset(self):
        return selectors.pending_disposals(user=self.request.user).order_by("requested_at")


class ItemsPrintView(ScopedListView):
    """The seized-items ledger as a printable page (the unit and days of the query)."""

    model = SeizedItem
    template_name = "cases/seized_items_print.html"
    paginate_by = None

    def get_queryset(self):
        return SeizedItem.objects.none()

    def get_context_data(self, **kwargs):
        unit = user_scope_unit(self.request.user)
        raw = self.request.GET.get("unit")
        if raw:
            unit = get_visible(Unit, self.request.user, raw)
        if unit is None:
            unit = Unit.objects.order_by("path").first()
        return seized_items_context(user=self.request.user, unit=unit, since=None, until=None)


class FiguresView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Cases by kind and state, measures taken and items seized (counts of the user's scope
    only), each a link to its list."""

    permission_required = "cases.view_case"
    template_name = "cases/figures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = selectors.case_figures(user=self.request.user)
        context.update(
            figures=figures,
            states=list(CaseState),
            kinds=CaseKind,
            measure_rows=[(k, figures.measures.get(k.value, 0)) for k in MeasureKind],
            item_rows=[(s, figures.items_by_state.get(s.value, 0)) for s in ItemState],
        )
        return context


class LedgerExportView(UnitPeriodExportView):
    export_name = CaseLedgerExport.name
    permission_required = "cases.view_case"
    form_class = LedgerExportForm
    template_name = "cases/ledger_export.html"


class ItemsExportView(UnitPeriodExportView):
    export_name = SeizedItemsLedgerExport.name
    permission_required = "cases.view_seizeditem"
    form_class = LedgerExportForm
    template_name = "cases/ledger_export.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "items_export": True}
