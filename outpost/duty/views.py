"""Duty pages (战时勤务): who is on duty at a moment, rosters (build, check, change a shift,
publish), swaps, my shifts, leave and freezes, the pioneer post record and the roster's
printable files. Thin: they parse, call a service or selector, and render."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.duty import exports, selectors, services
from outpost.duty.choices import LeaveStatus, RosterStatus, SwapStatus
from outpost.duty.forms import (
    AnswerForm,
    DecideForm,
    ExceptionForm,
    FreezeForm,
    LeaveForm,
    NowForm,
    PeriodForm,
    PublishForm,
    RosterBuildForm,
    ShiftAssignForm,
    TakerForm,
)
from outpost.duty.models import LeaveFreeze, LeaveRequest, Roster, Shift, SwapRequest

# ---------------------------------------------------------------------------- on duty


class NowView(ScopedListView):
    """Who is on duty at a moment (now unless asked), for a unit and a post."""

    model = Shift
    template_name = "duty/now.html"
    paginate_by = 100

    def get_queryset(self):
        self.form = NowForm(self.request.GET or None, user=self.request.user)
        data = self.form.cleaned_data if self.form.is_bound and self.form.is_valid() else {}
        self.at = data.get("at") or timezone.now()
        return selectors.shifts_at(
            user=self.request.user, at=self.at, unit=data.get("unit"), post=data.get("post")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, form=self.form, at=self.at)


# ---------------------------------------------------------------------------- rosters


class RosterListView(ScopedListView):
    model = Roster
    template_name = "duty/roster_list.html"
    paginate_by = 30

    def get_queryset(self):
        return super().get_queryset().select_related("unit")


class RosterBuildView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Build a draft roster from the posts' templates (a form of the user's units and
    posts; the rosters made lately below it)."""

    permission_required = "duty.add_roster"
    template_name = "duty/roster_build.html"

    def get(self, request):
        return self.render(RosterBuildForm(user=request.user))

    def post(self, request):
        form = RosterBuildForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                roster = services.roster_build(
                    acting_user=request.user,
                    unit=data["unit"],
                    title=data["title"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    posts=list(data["posts"]),
                    min_rest_hours=data["min_rest_hours"],
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Roster built as a draft: check it and publish it."))
                return HttpResponseRedirect(roster.get_absolute_url())
        return self.render(form, status=422)

    def render(self, form, status=200):
        return render(self.request, self.template_name, {"form": form}, status=status)


def _shown_violations(violations, shifts):
    """The rules broken, naming only the people whose shifts the user sees."""
    seen = {shift.user_id for shift in shifts}
    return [v for v in violations if v.user_id is None or v.user_id in seen]


class RosterDetailView(ScopedDetailView):
    """A roster: the rules it breaks, its shifts by day (those of the user's people), the
    publish form for a leader."""

    model = Roster
    template_name = "duty/roster_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roster = self.object
        user = self.request.user
        shifts = list(
            Shift.objects.visible_to(user)
            .filter(roster=roster)
            .select_related("post", "user__staff_profile")
            .order_by("starts_at", "post__name", "pk")
        )
        days = defaultdict(list)
        for shift in shifts:
            days[timezone.localtime(shift.starts_at).date()].append(shift)
        violations = _shown_violations(selectors.roster_violations(roster), shifts)
        flagged = {v.shift_id for v in violations if v.shift_id}
        for shift in shifts:
            shift.flagged = shift.pk in flagged
        draft = roster.status == RosterStatus.DRAFT
        context.update(
            days=sorted(days.items()),
            violations=violations,
            can_publish=draft and user.has_perm(services.PUBLISH),
            can_assign=user.has_perm("duty.change_shift"),
            can_hand_over=not draft and user.has_perm(services.PUBLISH),
            publish_form=PublishForm(),
            posts=roster.posts.all(),
        )
        return context


class DutyActionView(ScopedActionView):
    """An action on one record: its page shows the record to whoever may see it and the
    form only to whoever may act (`may_act`); a POST from anyone else is a 404."""

    def may_act(self, obj) -> bool:
        return True

    def get_context(self, obj) -> dict:
        return {"may_act": self.may_act(obj)}

    def post(self, request, *args, **kwargs):
        if not self.may_act(self.get_object()):
            raise Http404
        return super().post(request, *args, **kwargs)


class RosterPublishView(DutyActionView):
    model = Roster
    form_class = PublishForm
    template_name = "duty/roster_publish.html"

    def may_act(self, obj) -> bool:
        return obj.status == RosterStatus.DRAFT and self.request.user.has_perm(services.PUBLISH)

    def get_context(self, obj) -> dict:
        shifts = Shift.objects.visible_to(self.request.user).filter(roster=obj)
        violations = _shown_violations(selectors.roster_violations(obj), shifts)
        return {**super().get_context(obj), "violations": violations}

    def perform(self, obj, data) -> str:
        services.roster_publish(
            acting_user=self.request.user, roster=obj, override_reason=data["reason"]
        )
        return _("Roster published.")


class ShiftAssignView(DutyActionView):
    """Give a shift to another person who may fill the post."""

    model = Shift
    template_name = "duty/shift_action.html"

    def may_act(self, obj) -> bool:
        return self.request.user.has_perm("duty.change_shift")

    def get_form(self, obj, data=None):
        return ShiftAssignForm(data, shift=obj)

    def get_context(self, obj) -> dict:
        return {**super().get_context(obj), "heading": _("Give the shift to another person")}

    def get_success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def perform(self, obj, data) -> str:
        services.shift_assign(
            acting_user=self.request.user, shift=obj, user=data["user"], reason=data["reason"]
        )
        return _("Shift given to %(person)s.") % {"person": data["user"].staff_profile}


class SwapAskView(DutyActionView):
    """The holder of a shift asks a colleague to take it."""

    model = Shift
    template_name = "duty/shift_action.html"

    def may_act(self, obj) -> bool:
        return (
            obj.user_id == self.request.user.pk
            and obj.starts_at > timezone.now()
            and self.request.user.has_perm("duty.add_swaprequest")
        )

    def get_form(self, obj, data=None):
        return TakerForm(data, shift=obj)

    def get_context(self, obj) -> dict:
        return {**super().get_context(obj), "heading": _("Ask a colleague to take this shift")}

    def get_success_url(self, obj) -> str:
        return reverse("duty:mine")

    def perform(self, obj, data) -> str:
        services.swap_ask(acting_user=self.request.user, shift=obj, taker=data["taker"])
        return _("Asked %(person)s to take the shift.") % {"person": data["taker"].staff_profile}


class HandOverView(DutyActionView):
    """A leader hands a published shift to a colleague on its holder's behalf."""

    model = Shift
    template_name = "duty/shift_action.html"

    def may_act(self, obj) -> bool:
        return self.request.user.has_perm(services.PUBLISH)

    def get_form(self, obj, data=None):
        return TakerForm(data, shift=obj)

    def get_context(self, obj) -> dict:
        return {**super().get_context(obj), "heading": _("Swap on the holder's behalf")}

    def perform(self, obj, data) -> str:
        services.swap_on_behalf(acting_user=self.request.user, shift=obj, taker=data["taker"])
        return _("Shift handed over to %(person)s.") % {"person": data["taker"].staff_profile}


# ---------------------------------------------------------------------------- swaps


class SwapListView(ScopedListView):
    """Swaps of the user's people; those accepted wait for a leader."""

    model = SwapRequest
    template_name = "duty/swap_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("shift__post", "requested_by__staff_profile", "taker__staff_profile")
        )


class SwapAnswerView(DutyActionView):
    model = SwapRequest
    form_class = AnswerForm
    template_name = "duty/swap_action.html"

    def may_act(self, obj) -> bool:
        return obj.taker_id == self.request.user.pk and obj.status == SwapStatus.ASKED

    def get_success_url(self, obj) -> str:
        return reverse("duty:mine")

    def perform(self, obj, data) -> str:
        swap = services.swap_answer(acting_user=self.request.user, swap=obj, accept=data["accept"])
        return str(swap.get_status_display())


class SwapDecideView(DutyActionView):
    model = SwapRequest
    form_class = DecideForm
    template_name = "duty/swap_action.html"

    def may_act(self, obj) -> bool:
        return obj.status == SwapStatus.ACCEPTED and self.request.user.has_perm(services.PUBLISH)

    def get_success_url(self, obj) -> str:
        return reverse("duty:swap_list")

    def perform(self, obj, data) -> str:
        swap = services.swap_decide(
            acting_user=self.request.user, swap=obj, approve=data["approve"]
        )
        return str(swap.get_status_display())


class MineView(LoginRequiredMixin, View):
    """The user's own shifts ahead, the swaps asked of them and those they asked."""

    def get(self, request):
        user = request.user
        mine = SwapRequest.objects.select_related(
            "shift__post", "requested_by__staff_profile", "taker__staff_profile"
        )
        context = {
            "shifts": selectors.upcoming_shifts(user=user),
            "asked_of_me": mine.filter(taker=user, status=SwapStatus.ASKED),
            "my_swaps": mine.filter(requested_by=user).order_by("-asked_at")[:20],
            "can_swap": user.has_perm("duty.add_swaprequest"),
        }
        return render(request, "duty/mine.html", context)


# ---------------------------------------------------------------------------- leave


class LeaveListView(ScopedListView):
    """Leave of the user's people, with what is in conflict with a freeze, and the freezes
    over them."""

    model = LeaveRequest
    template_name = "duty/leave_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("user__staff_profile", "unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            conflicts=selectors.conflicting_leave_ids(context["object_list"]),
            freezes=LeaveFreeze.objects.visible_to(user).order_by("-starts_on")[:20],
            can_freeze=user.has_perm("duty.add_leavefreeze"),
            can_ask=user.has_perm("duty.add_leaverequest"),
            can_grant=user.has_perm("duty.grant_leaverequest"),
        )
        return context


class LeaveNewView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The user asks for their own leave."""

    permission_required = "duty.add_leaverequest"

    def get(self, request):
        return render(request, "duty/form.html", self._context(LeaveForm()))

    def post(self, request):
        form = LeaveForm(request.POST)
        if form.is_valid():
            try:
                leave = services.leave_request(acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                if leave.status == LeaveStatus.REFUSED:
                    messages.error(
                        request,
                        _("Leave is frozen then: refused. A leader may grant it as an exception."),
                    )
                else:
                    messages.success(request, _("Leave granted."))
                return HttpResponseRedirect(reverse("duty:leave_list"))
        return render(request, "duty/form.html", self._context(form), status=422)

    def _context(self, form):
        return {"form": form, "heading": _("Ask for leave"), "submit": _("Ask")}


class LeaveExceptionView(DutyActionView):
    model = LeaveRequest
    form_class = ExceptionForm
    template_name = "duty/leave_exception.html"

    def may_act(self, obj) -> bool:
        return obj.status == LeaveStatus.REFUSED and self.request.user.has_perm(
            "duty.grant_leaverequest"
        )

    def get_success_url(self, obj) -> str:
        return reverse("duty:leave_list")

    def perform(self, obj, data) -> str:
        services.leave_exception_grant(
            acting_user=self.request.user, leave=obj, reason=data["reason"]
        )
        return _("Leave granted as an exception.")


class FreezeNewView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A leader declares a leave freeze (a form of the units of their jurisdiction)."""

    permission_required = "duty.add_leavefreeze"

    def get(self, request):
        return render(request, "duty/form.html", self._context(FreezeForm(user=request.user)))

    def post(self, request):
        form = FreezeForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                freeze = services.freeze_declare(
                    acting_user=request.user,
                    units=list(data["units"]),
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    reason=data["reason"],
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Leave frozen."))
                return HttpResponseRedirect(freeze.get_absolute_url())
        return render(request, "duty/form.html", self._context(form), status=422)

    def _context(self, form):
        return {"form": form, "heading": _("Freeze leave"), "submit": _("Freeze leave")}


class FreezeDetailView(ScopedDetailView):
    """A freeze and the leave already granted that it puts in conflict."""

    model = LeaveFreeze
    template_name = "duty/freeze_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["conflicts"] = selectors.leave_in_conflict(
            freeze=self.object, user=self.request.user
        )
        context["units"] = self.object.units.order_by("path")
        return context


# ---------------------------------------------------------------------------- pioneer post


class PioneerView(ScopedListView):
    """The pioneer posts' record: shifts worked and the tasks done during them, per person
    and per post, over a period (the last 30 days unless asked)."""

    model = Shift
    template_name = "duty/pioneer.html"
    paginate_by = None

    def get_queryset(self):
        self.form = PeriodForm(self.request.GET or None)
        data = self.form.cleaned_data if self.form.is_bound and self.form.is_valid() else {}
        today = timezone.localdate()
        self.first = data.get("first") or today - datetime.timedelta(days=30)
        self.last = data.get("last") or today
        self.record = selectors.pioneer_record(
            user=self.request.user, first=self.first, last=self.last
        )
        return [worked.shift for worked in self.record.shifts]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, form=self.form, record=self.record, first=self.first, last=self.last
        )


# ---------------------------------------------------------------------------- files


class RosterFileView(ScopedViewMixin, View):
    """The roster as a printable file: xlsx (text as text) or PDF (A4 landscape), with the
    shifts of the user's people; `record` is the duty record per person."""

    model = Roster
    kind = "xlsx"

    def get(self, request, pk):
        roster = self.get_queryset().filter(pk=pk).first()
        if roster is None:
            raise Http404
        shifts = list(
            Shift.objects.visible_to(request.user)
            .filter(roster=roster)
            .select_related("post", "user__staff_profile")
            .order_by("starts_at", "post__name", "pk")
        )
        if self.kind == "pdf":
            content, mime, suffix = (
                exports.roster_pdf(roster, shifts, acting_user=request.user),
                "application/pdf",
                "pdf",
            )
        elif self.kind == "record":
            content, suffix = exports.duty_record_xlsx(roster, shifts), "xlsx"
            mime = exports.XLSX
        else:
            content, mime, suffix = exports.roster_xlsx(roster, shifts), exports.XLSX, "xlsx"
        response = HttpResponse(content, content_type=mime)
        name = exports.file_name(roster, self.kind, suffix)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
        return response
