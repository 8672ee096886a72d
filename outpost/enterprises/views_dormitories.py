"""Dormitory pages (闲置宿舍协调): offers with their occupancy grid, requests, the match
page where an officer books a bed for a request, stays and their end. Staff see their unit
subtree's, a liaison its own enterprise's (offers and their stays; its requests)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView

from outpost.core.audit import record_history
from outpost.core.scoping import get_visible
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.core.views import RevealView
from outpost.enterprises import selectors_dormitories as selectors
from outpost.enterprises import services_dormitories as services
from outpost.enterprises.choices_dormitories import DormitoryRequestStatus, OfferStatus
from outpost.enterprises.forms_dormitories import (
    REQUEST_STATUS_FILTER,
    BookForm,
    ConfirmForm,
    DormitoryRequestForm,
    OfferForm,
    RoomForm,
    StayEndForm,
)
from outpost.enterprises.models import (
    DormitoryOffer,
    DormitoryRequest,
    DormitoryRoom,
    DormitoryStay,
    Enterprise,
)
from outpost.enterprises.scoping import enterprises_for


def _may(user, model, pk, action: str) -> bool:
    return model.objects.visible_to(user, action).filter(pk=pk).exists()


def _may_add(user, permission: str) -> bool:
    return user.has_perm(permission) and enterprises_for(user).exists()


# ---------------------------------------------------------------------------- offers


class OfferListView(ScopedListView):
    """Idle dormitory offers of the user's jurisdiction (a liaison: its own), the latest
    last night first; `?current=1` keeps those not over yet."""

    model = DormitoryOffer
    template_name = "enterprises/dormitories/offer_list.html"

    def get_queryset(self):
        return selectors.offer_list(
            user=self.request.user, current=self.request.GET.get("current") == "1"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = _may_add(self.request.user, "enterprises.add_dormitoryoffer")
        context["current"] = self.request.GET.get("current") == "1"
        return context


class OfferDetailView(ScopedDetailView):
    """One offer: its rooms × the next 14 nights (beds taken of beds, China time), the
    stays not ended, and what the user may do (add a room, withdraw)."""

    model = DormitoryOffer
    template_name = "enterprises/dormitories/offer_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise__unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, offer = self.request.user, self.object
        nights, rows = selectors.occupancy_grid(offer)
        may_change = offer.status == OfferStatus.OPEN and _may(
            user, DormitoryOffer, offer.pk, "change"
        )
        context.update(
            nights=nights,
            grid=rows,
            beds=sum(row.room.beds for row in rows),
            stays=selectors.stay_list(user=user, current=True).filter(room__offer=offer),
            can_add_room=may_change and user.has_perm("enterprises.add_dormitoryroom"),
            can_withdraw=may_change,
            can_end=user.has_perm("enterprises.change_dormitorystay"),
            history=record_history(offer),
        )
        return context


class OfferNewView(ScopedViewMixin, PermissionRequiredMixin, FormView):
    """A new offer of idle rooms, for one of the enterprises the user may act for; beside
    the form, the offers not over yet (so that a room is not offered twice)."""

    model = DormitoryOffer
    permission_required = "enterprises.add_dormitoryoffer"
    form_class = OfferForm
    template_name = "enterprises/dormitories/offer_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        if request.POST.get("enterprise"):  # another's enterprise is a 404, not a form error
            get_visible(Enterprise, request.user, request.POST["enterprise"])
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["others"] = selectors.offer_list(user=self.request.user, current=True)[:20]
        return context

    def form_valid(self, form):
        try:
            offer = services.offer_create(acting_user=self.request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The offer of %(address)s is saved.") % {"address": offer.address}
        )
        return HttpResponseRedirect(offer.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)


class OfferRoomAddView(PermissionRequiredMixin, ScopedActionView):
    """One more room for an offer."""

    model = DormitoryOffer
    scope_action = "change"
    permission_required = "enterprises.add_dormitoryroom"
    form_class = RoomForm
    template_name = "enterprises/dormitories/room_form.html"

    def perform(self, offer, data):
        room = services.room_add(acting_user=self.request.user, offer=offer, **data)
        return _("Room %(room)s is added.") % {"room": room.label}


class OfferWithdrawView(ScopedActionView):
    """Withdraw an offer (no longer matched); refused while guests are booked."""

    model = DormitoryOffer
    scope_action = "change"
    form_class = ConfirmForm
    template_name = "enterprises/dormitories/offer_withdraw.html"

    def perform(self, offer, data):
        services.offer_withdraw(acting_user=self.request.user, offer=offer)
        return _("The offer is withdrawn.")


# ---------------------------------------------------------------------------- requests


class RequestListView(ScopedListView):
    """Requests for a dormitory bed (a liaison: its own enterprise's), soonest arrival first;
    filtered by status, or `?moving_in=today` (stays starting today)."""

    model = DormitoryRequest
    template_name = "enterprises/dormitories/request_list.html"

    def get(self, request, *args, **kwargs):
        status = request.GET.get("status", "")
        self.status = status if status in DormitoryRequestStatus.values else ""
        moving_in = request.GET.get("moving_in", "")
        self.moving_in = moving_in if moving_in == selectors.MOVING_IN_TODAY else ""
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.request_list(
            user=self.request.user, status=self.status, moving_in=self.moving_in
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            status=self.status,
            moving_in=self.moving_in,
            statuses=REQUEST_STATUS_FILTER,
            can_add=_may_add(self.request.user, "enterprises.add_dormitoryrequest"),
        )
        return context


class RequestDetailView(ScopedDetailView):
    """One request: the person (phone masked), the dates, its stays, and the next steps."""

    model = DormitoryRequest
    template_name = "enterprises/dormitories/request_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("enterprise__unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, request = self.request.user, self.object
        may_change = _may(user, DormitoryRequest, request.pk, "change")
        stays = list(
            request.stays.select_related("room__offer__enterprise").order_by("-booked_at", "-pk")
        )
        visible_stays = set(
            DormitoryStay.objects.visible_to(user, "change")
            .filter(pk__in=[s.pk for s in stays])
            .values_list("pk", flat=True)
        )
        context.update(
            stays=[(stay, stay.pk in visible_stays and stay.is_current) for stay in stays],
            can_match=request.is_waiting
            and may_change
            and user.has_perm("enterprises.add_dormitorystay"),
            can_withdraw=request.is_waiting and may_change,
            history=record_history(request),
        )
        return context


class RequestNewView(ScopedViewMixin, PermissionRequiredMixin, FormView):
    """A new request for a bed for one member of staff returning from elsewhere; beside the
    form, the requests still waiting (so that nobody is asked for twice)."""

    model = DormitoryRequest
    permission_required = "enterprises.add_dormitoryrequest"
    form_class = DormitoryRequestForm
    template_name = "enterprises/dormitories/request_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        if request.POST.get("enterprise"):
            get_visible(Enterprise, request.user, request.POST["enterprise"])
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["others"] = selectors.waiting_requests(user=self.request.user)[:20]
        return context

    def form_valid(self, form):
        try:
            created = services.dormitory_request_create(
                acting_user=self.request.user, **form.cleaned_data
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The request for %(name)s is filed.") % {"name": created.name}
        )
        return HttpResponseRedirect(created.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)


class RequestWithdrawView(ScopedActionView):
    """Withdraw a request waiting for a room."""

    model = DormitoryRequest
    scope_action = "change"
    form_class = ConfirmForm
    template_name = "enterprises/dormitories/request_withdraw.html"

    def perform(self, request, data):
        services.dormitory_request_withdraw(acting_user=self.request.user, request=request)
        return _("The request is withdrawn.")


class RequestRevealView(RevealView):
    """The unmasked phone of the person a request names; logged."""

    model = DormitoryRequest
    reveal_fields = ("phone",)


class RequestMatchView(PermissionRequiredMixin, ScopedActionView):
    """The rooms that fit a waiting request (a bed free every night of the stay), nearest
    unit first; each with a button that books it. A bed taken meanwhile is refused by the
    database and named here, with the room and the night."""

    model = DormitoryRequest
    scope_action = "change"
    permission_required = "enterprises.add_dormitorystay"
    form_class = BookForm
    template_name = "enterprises/dormitories/request_match.html"

    def get_context(self, request):
        return {
            "matches": selectors.request_matches(user=self.request.user, request=request)
            if request.is_waiting
            else []
        }

    def perform(self, request, data):
        room = get_visible(DormitoryRoom, self.request.user, data["room"])
        stay = services.stay_book(
            acting_user=self.request.user, request=request, room=room, bed=data.get("bed")
        )
        return _("%(name)s: room %(room)s, bed %(bed)d, from %(first)s to %(last)s.") % {
            "name": request.name,
            "room": f"{room.offer.address} {room.label}",
            "bed": stay.bed,
            "first": stay.first_night.strftime("%Y-%m-%d"),
            "last": stay.last_night.strftime("%Y-%m-%d"),
        }


# ---------------------------------------------------------------------------- stays


class StayListView(ScopedListView):
    """Stays in the rooms the user may see (a liaison: its own offers' rooms);
    `?starts=today`: those starting today; otherwise those not over."""

    model = DormitoryStay
    template_name = "enterprises/dormitories/stay_list.html"

    def get(self, request, *args, **kwargs):
        starts = request.GET.get("starts", "")
        self.starts = starts if starts == selectors.MOVING_IN_TODAY else ""
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.stay_list(
            user=self.request.user, starts=self.starts, current=not self.starts
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            starts=self.starts,
            can_end=self.request.user.has_perm("enterprises.change_dormitorystay"),
            today=timezone.localdate(),
        )
        return context


class StayEndView(ScopedActionView):
    """End a stay: check-out (the nights from the leaving day freed) or, on or before the
    first night, cancellation (the request waits for a room again)."""

    model = DormitoryStay
    scope_action = "change"
    form_class = StayEndForm
    template_name = "enterprises/dormitories/stay_end.html"

    def get_object(self):
        stay = super().get_object()
        return DormitoryStay.objects.select_related(
            "room__offer__enterprise", "request__enterprise"
        ).get(pk=stay.pk)

    def perform(self, stay, data):
        stay = services.stay_end(acting_user=self.request.user, stay=stay, on=data["on"])
        return _("%(name)s: %(end)s, nights from %(on)s freed.") % {
            "name": stay.request.name,
            "end": stay.get_end_display(),
            "on": stay.ended_on.strftime("%Y-%m-%d"),
        }

    def get_success_url(self, stay):
        if _may(self.request.user, DormitoryRequest, stay.request_id, "view"):
            return stay.request.get_absolute_url()
        return stay.room.offer.get_absolute_url()
