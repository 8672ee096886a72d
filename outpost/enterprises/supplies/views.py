"""Pages of requests (诉求) and the donations ledger (捐赠物资台账). Views parse, call a
selector or a service, and render; scope comes from the scoped base views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView

from outpost.core.exports.views import UnitPeriodExportView
from outpost.core.models import Unit
from outpost.core.printing import print_context
from outpost.core.scoping import get_visible, user_scope_unit
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.core.views import RevealView
from outpost.enterprises.models import Enterprise
from outpost.enterprises.scoping import enterprise_of_liaison, is_liaison
from outpost.enterprises.supplies import selectors, services
from outpost.enterprises.supplies.choices import RequestKind, RequestStatus
from outpost.enterprises.supplies.exports import SuppliesLedgerExport
from outpost.enterprises.supplies.forms import (
    AssignForm,
    CloseForm,
    ConfirmForm,
    DistributionForm,
    DonationForm,
    LedgerExportForm,
    LedgerFilterForm,
    ReopenForm,
    RequestForm,
    StepForm,
)
from outpost.enterprises.supplies.models import (
    Distribution,
    Donation,
    Donor,
    EnterpriseRequest,
    LedgerLine,
    Stock,
)

SORTS = (selectors.SORT_NEWEST, selectors.SORT_AGE, selectors.SORT_UNMET)


def _may(user, permission: str) -> bool:
    return user.has_perm(permission)


def may_handle(user) -> bool:
    """Staff who take, work on and answer requests (not a liaison)."""
    return _may(user, services.CHANGE) and not is_liaison(user)


def may_answer_for_enterprise(user) -> bool:
    return _may(user, services.CONFIRM) or _may(user, services.CHANGE)


def may_distribute(user) -> bool:
    return _may(user, "enterprises.add_distribution") and not is_liaison(user)


def may_receive(user) -> bool:
    return _may(user, "enterprises.add_donation") and not is_liaison(user)


# ---------------------------------------------------------------------------- requests


class RequestListView(ScopedListView):
    """Requests (诉求) of the user's enterprises — a liaison's own — with what is delivered
    of what was asked as a progress bar; filtered by status and kind, the user's own
    (`?mine=1`), sorted newest first, by age or by what is unmet."""

    model = EnterpriseRequest
    template_name = "enterprises/supplies/request_list.html"
    partial_template_name = "enterprises/supplies/partials/request_rows.html"

    def get(self, request, *args, **kwargs):
        params = request.GET
        self.status = params.get("status", "")
        self.kind = params.get("kind", "") if params.get("kind") in RequestKind.values else ""
        self.mine = params.get("mine") == "1"
        self.sort = params.get("sort") if params.get("sort") in SORTS else selectors.SORT_NEWEST
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.request_list(
            user=self.request.user,
            status=self.status,
            kind=self.kind,
            mine=self.mine,
            sort=self.sort,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            status=self.status,
            kind=self.kind,
            mine=self.mine,
            sort=self.sort,
            statuses=[
                (selectors.STATUS_PENDING, _("Pending")),
                (selectors.STATUS_OVERDUE, _("Overdue")),
                *RequestStatus.choices,
            ],
            kinds=RequestKind.choices,
            sorts=[
                (selectors.SORT_NEWEST, _("Newest first")),
                (selectors.SORT_AGE, _("Longest waiting first")),
                (selectors.SORT_UNMET, _("Most unmet first")),
            ],
            may_file=_may(user, "enterprises.add_enterpriserequest"),
            may_handle=may_handle(user),
            now=timezone.now(),
        )
        return context


class RequestNewView(ScopedViewMixin, PermissionRequiredMixin, FormView):
    """File a request: a liaison for its enterprise (a login not bound to one is told so);
    staff for an enterprise of their jurisdiction, taken by phone (the enterprises offered
    are those of the units the user sees, each named with its unit)."""

    model = Unit
    permission_required = "enterprises.add_enterpriserequest"
    form_class = RequestForm
    template_name = "enterprises/supplies/request_new.html"

    def dispatch(self, request, *args, **kwargs):
        self.liaison = is_liaison(request.user) if request.user.is_authenticated else False
        self.own = enterprise_of_liaison(request.user) if self.liaison else None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "enterprise": self.own}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(liaison=self.liaison, own=self.own, unbound=self.liaison and not self.own)
        return context

    def post(self, request, *args, **kwargs):
        if self.liaison and self.own is None:
            return self.render_to_response(self.get_context_data(), status=422)
        if request.POST.get("enterprise") and not self.liaison:
            get_visible(Enterprise, request.user, request.POST["enterprise"])
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            filed = services.request_file(acting_user=self.request.user, **form.service_arguments())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Request %(reference)s filed. It is due by %(due)s.")
            % {
                "reference": filed.reference,
                "due": timezone.localtime(filed.due_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
        return HttpResponseRedirect(filed.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)


class RequestDetailView(ScopedDetailView):
    """One request: what was asked, each item's delivered and needed with its progress bar
    (from the ledger), the handling record, the distributions, and the next actions."""

    model = EnterpriseRequest
    template_name = "enterprises/supplies/request_detail.html"

    def get_queryset(self):
        return selectors.request_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, request = self.request.user, self.object
        pending = request.is_pending
        in_change_scope = (
            EnterpriseRequest.objects.visible_to(user, "change").filter(pk=request.pk).exists()
        )
        handles = may_handle(user) and in_change_scope
        context.update(
            lines=selectors.request_lines(request),
            steps=selectors.request_steps(request),
            distributions=selectors.request_distributions(user=user, request=request),
            can_assign=handles and pending,
            can_step=handles and pending,
            can_close=handles and pending,
            can_distribute=handles and pending and may_distribute(user) and request.unmet > 0,
            can_answer=request.status == RequestStatus.CLOSED
            and may_answer_for_enterprise(user)
            and (is_liaison(user) or in_change_scope),
            now=timezone.now(),
        )
        return context


class _RequestAction(ScopedActionView):
    model = EnterpriseRequest
    scope_action = "change"
    template_name = "enterprises/supplies/request_action.html"
    title = ""
    button = ""
    form_class = StepForm

    def get_context(self, obj) -> dict:
        return {"title": self.title, "button": self.button}


class RequestAssignView(_RequestAction):
    """Give the request to an officer whose jurisdiction covers the enterprise."""

    def get_context(self, obj):
        return {"title": _("Assign the request"), "button": _("Assign")}

    def get_form(self, obj, data=None):
        return AssignForm(data, request=obj, user=self.request.user)

    def perform(self, obj, data):
        services.request_assign(acting_user=self.request.user, request=obj, officer=data["officer"])
        return _("Request %(reference)s assigned.") % {"reference": obj.reference}


class RequestStepView(_RequestAction):
    """Write down a step taken (办理记录)."""

    def get_context(self, obj):
        return {"title": _("Record a step"), "button": _("Save step")}

    def perform(self, obj, data):
        services.request_step_record(acting_user=self.request.user, request=obj, note=data["note"])
        return _("Step recorded.")


class RequestCloseView(_RequestAction):
    """Answer the request with an outcome (办结)."""

    form_class = CloseForm

    def get_context(self, obj):
        return {"title": _("Answer the request"), "button": _("Close with this answer")}

    def perform(self, obj, data):
        services.request_close(acting_user=self.request.user, request=obj, **data)
        return _("Request %(reference)s answered; the enterprise is asked to confirm.") % {
            "reference": obj.reference
        }


class RequestConfirmView(_RequestAction):
    """The enterprise confirms the answer (its liaison, or staff noting it by phone)."""

    scope_action = "view"
    form_class = ConfirmForm

    def get_context(self, obj):
        return {"title": _("Confirm the answer"), "button": _("Confirm")}

    def perform(self, obj, data):
        services.request_confirm(acting_user=self.request.user, request=obj, note=data["note"])
        return _("Request %(reference)s confirmed.") % {"reference": obj.reference}


class RequestReopenView(_RequestAction):
    """The enterprise sends the answer back: something is still missing."""

    scope_action = "view"
    form_class = ReopenForm

    def get_context(self, obj):
        return {"title": _("Reopen the request"), "button": _("Reopen")}

    def perform(self, obj, data):
        services.request_reopen(acting_user=self.request.user, request=obj, note=data["note"])
        return _("Request %(reference)s reopened.") % {"reference": obj.reference}


# ---------------------------------------------------------------------------- the store


class StoreView(ScopedListView):
    """Stock on hand (库存) of every item in each store of the user's jurisdiction, with
    the ways in (donations) and out (distributions)."""

    model = Stock
    template_name = "enterprises/supplies/store.html"
    paginate_by = 200

    def get_queryset(self):
        return selectors.stock_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            may_receive=may_receive(user),
            may_distribute=may_distribute(user),
            may_export=_may(user, "enterprises.view_ledgerline"),
            requests=selectors.open_supply_requests(user=user)[:20] if may_distribute(user) else [],
        )
        return context


class StockDetailView(ScopedDetailView):
    """The stock card (库存卡) of one item in one store: its ledger lines, newest first."""

    model = Stock
    template_name = "enterprises/supplies/stock_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "item")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stock = self.object
        context["lines"] = selectors.ledger_list(user=self.request.user, item=stock.item).filter(
            unit=stock.unit
        )[:200]
        return context


class LedgerView(ScopedListView):
    """The donations ledger (捐赠物资台账): every movement in and out of the user's
    stores, filtered by store, item and days."""

    model = LedgerLine
    template_name = "enterprises/supplies/ledger.html"
    paginate_by = 100

    def get(self, request, *args, **kwargs):
        self.filter_form = LedgerFilterForm(request.GET, user=request.user)
        self.filter_form.is_valid()  # an invalid filter is dropped
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = self.filter_form.cleaned_data
        return selectors.ledger_list(
            user=self.request.user,
            unit=data.get("unit"),
            item=data.get("item"),
            since=data.get("since"),
            until=data.get("until"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        return context


class LedgerExportView(UnitPeriodExportView):
    """Export the ledger of a store over days as xlsx, through the one export path
    (purpose required, access log, the user's own download)."""

    export_name = SuppliesLedgerExport.name
    permission_required = "enterprises.view_ledgerline"
    form_class = LedgerExportForm
    template_name = "enterprises/supplies/ledger_export.html"


class _StoreFormView(ScopedViewMixin, PermissionRequiredMixin, FormView):
    model = Unit

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        unit = user_scope_unit(self.request.user)
        return {"unit": getattr(unit, "pk", None)}

    def post(self, request, *args, **kwargs):
        # A store, enterprise or request outside the user's scope is a 404.
        for field, model in (
            ("unit", Unit),
            ("recipient_unit", Unit),
            ("enterprise", Enterprise),
            ("recipient", Enterprise),
            ("request", EnterpriseRequest),
            ("donor", Donor),
        ):
            if request.POST.get(field):
                get_visible(model, request.user, request.POST[field])
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)


class DonationNewView(_StoreFormView):
    """Receive a donation into a store (捐赠入库)."""

    permission_required = "enterprises.add_donation"
    form_class = DonationForm
    template_name = "enterprises/supplies/donation_new.html"

    def form_valid(self, form):
        data, user = form.cleaned_data, self.request.user
        try:
            donation = _receive(user, data, form.lines())
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Donation %(reference)s received into %(store)s.")
            % {"reference": donation.reference, "store": donation.unit.name},
        )
        return HttpResponseRedirect(donation.get_absolute_url())


def _receive(user, data, lines) -> Donation:
    """A new donor (if the form names one) and the donation, both or neither."""
    with transaction.atomic():
        donor = data.get("donor") or services.donor_register(
            acting_user=user,
            unit=data["unit"],
            kind=data.get("donor_kind", ""),
            enterprise=data.get("enterprise"),
            name=data.get("donor_name", ""),
            phone=data.get("donor_phone", ""),
        )
        return services.donation_receive(
            acting_user=user, unit=data["unit"], donor=donor, lines=lines, note=data.get("note", "")
        )


class DistributionNewView(_StoreFormView):
    """Give supplies out of a store (物资发放), against a request (`?request=`) or to an
    enterprise or unit; more than is on hand is refused, naming the item."""

    permission_required = "enterprises.add_distribution"
    form_class = DistributionForm
    template_name = "enterprises/supplies/distribution_new.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        raw = self.request.GET.get("request", "")
        if raw and self.request.method == "GET":
            request = get_visible(EnterpriseRequest, self.request.user, raw)
            kwargs["request"] = selectors.request_detail_queryset(user=self.request.user).get(
                pk=request.pk
            )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        unit = user_scope_unit(user)
        context["on_hand"] = selectors.stock_list(user=user)
        context["own_unit"] = unit
        return context

    def form_valid(self, form):
        data, user = form.cleaned_data, self.request.user
        try:
            distribution = services.distribution_make(
                acting_user=user,
                unit=data["unit"],
                lines=form.lines(),
                signed_for_by=data["signed_for_by"],
                recipient=data.get("recipient"),
                recipient_unit=data.get("recipient_unit"),
                request=data.get("request"),
                note=data.get("note", ""),
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Distribution %(reference)s recorded: print the receipt for signing.")
            % {"reference": distribution.reference},
        )
        target = distribution.request or distribution
        return HttpResponseRedirect(target.get_absolute_url())


class DonationDetailView(ScopedDetailView):
    """One donation: the donor (a person's phone masked), the store, the items received."""

    model = Donation
    template_name = "enterprises/supplies/donation_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit", "donor__enterprise", "received_by__staff_profile")
            .prefetch_related("lines__item")
        )


class DistributionDetailView(ScopedDetailView):
    """One distribution: to whom, against which request, who signed, the items given."""

    model = Distribution
    template_name = "enterprises/supplies/distribution_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "unit", "recipient", "recipient_unit", "request", "distributed_by__staff_profile"
            )
            .prefetch_related("lines__item")
        )


class DistributionReceiptView(DistributionDetailView):
    """The printable receipt (物资发放签收单) of one distribution: what, how many, from which
    store, to whom, signed for by whom, with the classification and sign-off lines."""

    template_name = "enterprises/supplies/receipt.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(print_context(acting_user=self.request.user))
        return context


class DonorListView(ScopedListView):
    """Donors (捐赠方) of the user's stores; a person's phone masked."""

    model = Donor
    template_name = "enterprises/supplies/donor_list.html"

    def get_queryset(self):
        return selectors.donor_list(
            user=self.request.user, query=self.request.GET.get("q", "")[:50]
        )


class DonorDetailView(ScopedDetailView):
    """One donor and what they gave; a person's phone revealed with a purpose, logged."""

    model = Donor
    template_name = "enterprises/supplies/donor_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["donations"] = selectors.donation_list(user=self.request.user).filter(
            donor=self.object
        )[:50]
        return context


class DonorRevealView(RevealView):
    model = Donor
    reveal_fields = ("phone",)
