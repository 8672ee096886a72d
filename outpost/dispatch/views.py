"""Pages of dispatch orders: list, import, the order with its progress, review and duty
desk, the officer's own items and the result form (made for a phone), the feedback
workbook. Thin: they parse, call a selector or a service, and render."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView

from outpost.core.batch import batch_apply, batch_report, selected_ids
from outpost.core.exports.tasks import export_enqueue
from outpost.core.models import Unit
from outpost.core.scoping import get_visible, user_scope_unit
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.dispatch import selectors, services, uploads
from outpost.dispatch.choices import MatchStatus
from outpost.dispatch.exports import FeedbackExport
from outpost.dispatch.forms import AssignForm, FeedbackExportForm, OrderUploadForm, ResultForm
from outpost.dispatch.models import DispatchItem, DispatchOrder
from outpost.registry.models import Resident


class OrderListView(ScopedListView):
    """The orders of the user's jurisdiction, each with its progress and deadline."""

    model = DispatchOrder
    template_name = "dispatch/order_list.html"

    def get_queryset(self):
        return selectors.order_list(user=self.request.user)


class OrderUploadView(ScopedViewMixin, PermissionRequiredMixin, FormView):
    """Import an order into a unit of the user's jurisdiction (the form lists unit names);
    lands on the order's page, which follows the reading and matching."""

    model = Unit
    permission_required = "dispatch.add_dispatchorder"
    form_class = OrderUploadForm
    template_name = "dispatch/order_upload.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"unit": user_scope_unit(self.request.user)}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            order = uploads.order_upload(
                acting_user=self.request.user,
                unit=data["unit"],
                order_number=data["order_number"],
                issuing_body=data["issuing_body"],
                title=data["title"],
                deadline=data["deadline"],
                file=data["file"],
                original_name=data["file"].name,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The order is kept; its items are being read and matched. This page shows it."),
        )
        return HttpResponseRedirect(order.get_absolute_url())


class OrderDetailView(ScopedDetailView):
    """An order: its progress against the deadline (done / open / overdue, per community),
    the items to review, the duty desk count and every item, ID numbers and phones masked.
    htmx polls the body while the order is being read."""

    model = DispatchOrder
    template_name = "dispatch/order_detail.html"
    partial_template_name = "dispatch/partials/order_body.html"
    items_shown = 500

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "created_by__staff_profile")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order, user = self.object, self.request.user
        show = self.request.GET.get("show", "")
        context["show"] = show
        if not order.is_reading:
            context["progress"] = selectors.order_progress(order=order, user=user)
            context["items"] = selectors.order_items(order=order, user=user, show=show)[
                : self.items_shown
            ]
            if user.has_perm("dispatch.assign_dispatchitem"):
                context["review"] = selectors.review_items(order=order, user=user)
            context["may_export"] = user.has_perm("core.export_personal_data")
        return context


class DutyDeskView(ScopedDetailView):
    """The duty desk (值班台) of an order: items no officer has yet, each with a form that
    routes it to an officer of the user's jurisdiction."""

    model = DispatchOrder
    template_name = "dispatch/duty_desk.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # One list for every row's choice (not a query per row).
        context["officers"] = list(services.police_officers_for(user))
        context["items"] = selectors.duty_desk_items(order=self.object, user=user)
        context["may_assign"] = user.has_perm("dispatch.assign_dispatchitem")
        return context

    def post(self, request, *args, **kwargs):
        """Route the ticked items to one officer (批量分派), each through `item_assign` (its
        right, its scope, its rule on the officer's community and its audit row)."""
        self.object = self.get_object()
        if not request.user.has_perm("dispatch.assign_dispatchitem"):
            raise Http404
        form = AssignForm(request.POST, assignees=services.police_officers_for(request.user))
        if not form.is_valid():
            messages.error(request, _("Choose the officer to route the selected items to."))
            return HttpResponseRedirect(request.path)
        officer = form.cleaned_data["officer"]
        ids = selected_ids(request.POST)
        records = {
            item.pk: item
            for item in DispatchItem.objects.visible_to(request.user).filter(
                order=self.object, pk__in=ids
            )
        }
        result = batch_apply(
            ids=ids,
            records=records,
            label=_item_label,
            action=lambda item: services.item_assign(
                acting_user=request.user, item=item, officer=officer
            ),
        )
        batch_report(
            request,
            result,
            done_message=ngettext(
                "%(n)d item routed to %(officer)s.",
                "%(n)d items routed to %(officer)s.",
                len(result.done),
            )
            % {"n": len(result.done), "officer": officer.staff_profile},
        )
        return HttpResponseRedirect(request.path)


def _item_label(item: DispatchItem) -> str:
    """An item in a batch summary, as the duty desk names it: its row and name."""
    return _("Row %(row)s") % {"row": item.row_number} + (f" · {item.name}" if item.name else "")


class _ItemView(ScopedViewMixin, View):
    model = DispatchItem
    scope_action = "assign"

    def item(self, pk) -> DispatchItem:
        return get_visible(DispatchItem, self.request.user, pk, self.scope_action)


class ItemAssignView(ScopedActionView):
    """Assign one item by hand: to an officer (from the duty desk), or to a grid worker of the
    item's grid who checks the door (from the item's page). `?next=` is where to go back to
    (the item's page, or the officer's own items); else the order's duty desk."""

    model = DispatchItem
    scope_action = "assign"
    template_name = "dispatch/item_assign.html"
    context_object_name = "item"

    def get_form(self, item, data=None):
        assignees = services.item_assignees(acting_user=self.request.user, item=item)
        return AssignForm(data, assignees=assignees)

    def get_context(self, item):
        return {"next": self._next()}

    def perform(self, item, data):
        services.item_assign(acting_user=self.request.user, item=item, officer=data["officer"])
        return _("Row %(row)d was assigned to %(person)s.") % {
            "row": item.row_number,
            "person": data["officer"].staff_profile,
        }

    def get_success_url(self, item):
        return self._next() or reverse("dispatch:duty_desk", args=[item.order_id])

    def _next(self) -> str:
        target = self.request.GET.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=False
        ):
            return target
        return ""


class ItemReviewView(_ItemView):
    """Decide an item the engine left to a person: this candidate, or none of them."""

    template_name = "dispatch/item_review.html"

    def _render(self, item, error=""):
        candidates = selectors.review_items(order=item.order, user=self.request.user)
        review = next((r for r in candidates if r.item.pk == item.pk), None)
        return render(
            self.request, self.template_name, {"item": item, "review": review, "error": error}
        )

    def get(self, request, pk):
        return self._render(self.item(pk))

    def post(self, request, pk):
        item = self.item(pk)
        choice = request.POST.get("resident", "")
        resident = None
        if choice != "none":
            if not choice.isdigit():
                return self._render(item, _("Choose a candidate, or “none of them”."))
            resident = get_visible(Resident, request.user, choice)
        try:
            services.item_review_decide(acting_user=request.user, item=item, resident=resident)
        except ValidationError as exc:
            return self._render(item, " ".join(exc.messages))
        messages.success(request, _("Row %(row)d was decided.") % {"row": item.row_number})
        return HttpResponseRedirect(item.order.get_absolute_url() + "#review")


class MyItemsView(ScopedListView):
    """The items routed to me (我的核查任务), open ones first by deadline; one big tappable
    row each, made for a phone."""

    model = DispatchItem
    scope_action = "change"
    template_name = "dispatch/my_items.html"

    def get_queryset(self):
        order = self.request.GET.get("order", "")
        return selectors.my_items(
            user=self.request.user,
            order_id=int(order) if order.isdigit() else None,
            show=self.request.GET.get("show", "open"),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(show=self.request.GET.get("show", "open"), **kwargs)


class ItemResultView(ScopedActionView):
    """Record what was found on the ground, on a phone: the result as big radio buttons,
    "moved to" shown when moved away, a note and the time. A form read before someone else
    saved is refused with the reason, and shows what they recorded."""

    model = DispatchItem
    scope_action = "change"
    template_name = "dispatch/item_result.html"
    context_object_name = "item"

    def get_object(self):
        item = super().get_object()
        return DispatchItem.objects.select_related(
            "order",
            "resident",
            "unit",
            "recorded_by__staff_profile",
            "assigned_officer__staff_profile",
            "duplicate_of",
        ).get(pk=item.pk)

    def get_context(self, item):
        # Handing the door check over: not once it is done (nor before the match is decided).
        may_assign = (
            self.request.user.has_perm("dispatch.assign_dispatchitem")
            and not item.result
            and item.match_status != MatchStatus.REVIEW
        )
        return {"may_assign": may_assign}

    def get_form(self, item, data=None):
        initial = {
            "version": item.version,
            "result": item.result or None,
            "moved_to": item.moved_to,
            "note": item.result_note,
        }
        return ResultForm(data, initial=initial)

    def perform(self, item, data):
        services.item_result_record(
            acting_user=self.request.user,
            item=item,
            version=data["version"],
            result=data["result"],
            moved_to=data["moved_to"],
            note=data["note"],
            result_at=data["result_at"],
        )
        return _("Row %(row)d: result saved.") % {"row": item.row_number}

    def get_success_url(self, item):
        return reverse("dispatch:my_items")

    def service_failed(self, item, form, exc):
        if "version" in getattr(exc, "error_dict", {}):
            item.refresh_from_db()  # what the other user recorded
            return _stale_form(form, item)
        return form


def _stale_form(form: ResultForm, item: DispatchItem) -> ResultForm:
    """The user's entry kept, with the item's current version, and the refusal shown."""
    data = form.data.copy()
    data["version"] = str(item.version)
    fresh = ResultForm(data)
    fresh.is_valid()
    for error in form.errors.get("version", []) + form.non_field_errors():
        fresh.add_error(None, error)
    return fresh


class FeedbackExportView(ScopedDetailView):
    """Ask for the feedback workbook of an order (background export, logged with a reason).
    Only for users who may export personal data."""

    model = DispatchOrder
    template_name = "dispatch/feedback_export.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", FeedbackExportForm())
        context["may_export"] = self.request.user.has_perm("core.export_personal_data")
        return context

    def post(self, request, pk):
        self.object = self.get_object()
        if not request.user.has_perm("core.export_personal_data"):
            raise Http404
        form = FeedbackExportForm(request.POST)
        if form.is_valid():
            try:
                result = export_enqueue(
                    export_name=FeedbackExport.name,
                    params={"order_id": self.object.pk},
                    request=request,
                    purpose=form.cleaned_data["purpose"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return HttpResponseRedirect(reverse("core:export_status", args=[result.id]))
        return self.render_to_response(self.get_context_data(form=form), status=422)
