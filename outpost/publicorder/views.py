"""Public-order pages (社会面管控): venues and their closure campaigns, inspections and
follow-ups, large events, patrol routes with their printable QR sheets, the patrol log,
check-in by scanning, and the incident figures. Thin: parse, call a service or a
selector, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
from django.views.generic import FormView

from outpost.core.audit import record_history
from outpost.core.exports.tasks import export_enqueue
from outpost.core.forms import ConfirmForm
from outpost.core.models import Unit
from outpost.core.scoping import get_visible, user_scope_unit
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.core.views import RevealView
from outpost.publicorder import forms, selectors, services
from outpost.publicorder.charts import comparison_chart_svg
from outpost.publicorder.choices import (
    NEXT_STATE,
    ClosureState,
    EventStatus,
    IncidentCategory,
    InspectionStatus,
    PatrolStatus,
)
from outpost.publicorder.codes import CodeRefused, checkpoint_code_content, code_read
from outpost.publicorder.exports import ClosureLedgerExport
from outpost.publicorder.models import (
    Checkpoint,
    ClosureCampaign,
    ClosureEntry,
    IncidentCount,
    Inspection,
    InspectionPhoto,
    LargeEvent,
    Patrol,
    PatrolRoute,
    Venue,
)


class _Titled:
    """An action page on `publicorder/action.html`, titled `action_title`."""

    action_title = ""

    def get_context(self, obj) -> dict:
        return {"action_title": self.action_title}


def _may_change(user, model, obj) -> bool:
    return model.objects.visible_to(user, "change").filter(pk=obj.pk).exists()


class _UnitFormView(ScopedViewMixin, PermissionRequiredMixin, FormView):
    """A form that makes a record in a unit of the user's scope (another unit is a 404)."""

    model = Unit

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"unit": getattr(user_scope_unit(self.request.user), "pk", None)}

    def post(self, request, *args, **kwargs):
        if request.POST.get("unit"):
            get_visible(Unit, request.user, request.POST["unit"])
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            record = self.create(form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s is saved.") % {"name": record})
        return HttpResponseRedirect(record.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)


# ---------------------------------------------------------------------------- venues


class VenueListView(ScopedListView):
    """Venues of the user's jurisdiction by kind, with the count of each kind counted from
    the same rows the list shows."""

    model = Venue
    template_name = "publicorder/venue_list.html"

    def get(self, request, *args, **kwargs):
        self.filter_form = forms.VenueFilterForm(request.GET)
        self.filter_form.is_valid()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = self.filter_form.cleaned_data
        self.unfiltered = selectors.venue_list(user=self.request.user, query=data.get("q") or "")
        kind = data.get("kind")
        return self.unfiltered.filter(kind=kind) if kind else self.unfiltered

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["kind_counts"] = selectors.venue_counts_by_kind(self.unfiltered)
        return context


class VenueNewView(_UnitFormView):
    permission_required = "publicorder.add_venue"
    form_class = forms.VenueForm
    template_name = "publicorder/form.html"
    extra_context = {"title": _lazy("New venue")}

    def create(self, data):
        return services.venue_create(acting_user=self.request.user, **data)


class VenueDetailView(ScopedDetailView):
    model = Venue
    template_name = "publicorder/venue_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("unit", "kind")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        venue = self.object
        context["closures"] = (
            ClosureEntry.objects.visible_to(user)
            .filter(venue=venue)
            .select_related("campaign", "officer__staff_profile")
        )
        context["inspections"] = selectors.inspections_of(user=user, venue=venue)
        context["may_inspect"] = user.has_perm("publicorder.add_inspection")
        context["history"] = record_history(venue)
        return context


class VenueRevealView(RevealView):
    model = Venue
    reveal_fields = ("responsible_phone",)


# ---------------------------------------------------------------------------- inspections


class InspectionNewView(PermissionRequiredMixin, ScopedActionView):
    """Inspect a venue against its kind's checklist, with notes and photos from the
    phone's camera."""

    model = Venue
    permission_required = "publicorder.add_inspection"
    template_name = "publicorder/inspection_form.html"

    def venue_of(self, obj) -> Venue:
        return obj

    def follow_up_of(self, obj) -> Inspection | None:
        return None

    def get_form(self, obj, data=None):
        checks = services.checklist_of(self.venue_of(obj), self.follow_up_of(obj))
        files = self.request.FILES if data is not None else None
        return forms.InspectionForm(data, files, checks=checks)

    def get_context(self, obj):
        return {"venue": self.venue_of(obj), "follow_up": self.follow_up_of(obj)}

    def perform(self, obj, data):
        results = _results(data)
        self.inspection = services.inspection_record(
            acting_user=self.request.user,
            venue=self.venue_of(obj),
            results=results,
            notes=data.get("notes", ""),
            photos=data.get("photos") or [],
            follow_up=self.follow_up_of(obj),
        )
        failed = sum(1 for passed, _note in results.values() if not passed)
        if failed:
            return _(
                "The inspection is recorded; %(n)d failed check(s) will be inspected again "
                "(see your to-do list)."
            ) % {"n": failed}
        return _("The inspection is recorded.")

    def get_success_url(self, obj):
        return self.inspection.get_absolute_url()


def _results(data: dict) -> dict[int, tuple[bool, str]]:
    """The checks' results from an inspection form's cleaned data."""
    return {
        int(name.removeprefix("check_")): (
            value,
            data.get(f"note_{name.removeprefix('check_')}", ""),
        )
        for name, value in data.items()
        if name.startswith("check_")
    }


class FollowUpView(InspectionNewView):
    """Do a follow-up inspection (复查) due on one check; once done, the page says so."""

    model = Inspection

    def venue_of(self, obj) -> Venue:
        return obj.venue

    def follow_up_of(self, obj) -> Inspection | None:
        return obj if obj.status == InspectionStatus.DUE else None

    def get_context(self, obj):
        return {**super().get_context(obj), "done_already": self.follow_up_of(obj) is None}

    def perform(self, obj, data):
        if self.follow_up_of(obj) is None:
            raise ValidationError(_("This follow-up has been done already."))
        super().perform(obj, data)
        return _("The follow-up inspection is recorded.")


class InspectionDetailView(ScopedDetailView):
    model = Inspection
    template_name = "publicorder/inspection_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("venue__kind", "officer__staff_profile", "item", "follow_up_of")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        inspection = self.object
        user = self.request.user
        context["results"] = inspection.results.select_related("item")
        context["photos"] = InspectionPhoto.objects.visible_to(user).filter(inspection=inspection)
        context["follow_ups"] = (
            Inspection.objects.visible_to(user)
            .filter(follow_up_of=inspection)
            .select_related("item")
        )
        context["may_follow_up"] = inspection.status == InspectionStatus.DUE and user.has_perm(
            "publicorder.add_inspection"
        )
        return context


class FollowUpListView(ScopedListView):
    """Follow-up inspections not done yet, soonest first; `?mine=1`: the user's own (the
    to-do line's list)."""

    model = Inspection
    template_name = "publicorder/follow_up_list.html"

    def get_queryset(self):
        qs = (
            Inspection.objects.visible_to(self.request.user)
            .filter(status=InspectionStatus.DUE)
            .select_related("venue__kind", "item", "officer__staff_profile")
            .order_by("due_on", "pk")
        )
        if self.request.GET.get("mine"):
            qs = qs.filter(officer=self.request.user)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        context["mine"] = bool(self.request.GET.get("mine"))
        return context


class PhotoView(ScopedDetailView):
    """An inspection photo, served inline to whoever may see the inspection."""

    model = InspectionPhoto

    def get(self, request, *args, **kwargs):
        photo = self.get_object()
        try:
            handle = photo.image.open("rb")
        except (FileNotFoundError, ValueError):
            return render(request, "publicorder/file_gone.html", status=410)
        return FileResponse(handle, content_type=_content_type(photo.image.name))


def _content_type(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower()
    return {"png": "image/png", "webp": "image/webp"}.get(suffix, "image/jpeg")


# ---------------------------------------------------------------------------- closures


class CampaignListView(ScopedListView):
    model = ClosureCampaign
    template_name = "publicorder/campaign_list.html"

    def get_queryset(self):
        return selectors.campaign_list(user=self.request.user)


class CampaignNewView(_UnitFormView):
    permission_required = "publicorder.add_closurecampaign"
    form_class = forms.CampaignForm
    template_name = "publicorder/form.html"
    extra_context = {"title": _lazy("New closure campaign")}

    def create(self, data):
        return services.campaign_create(acting_user=self.request.user, **data)


class CampaignDetailView(ScopedDetailView):
    """A campaign's venues the user may see, the counts per kind and state above them
    (from the same rows), filtered by kind and state."""

    model = ClosureCampaign
    template_name = "publicorder/campaign_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        filter_form = forms.CampaignFilterForm(self.request.GET)
        filter_form.is_valid()
        data = filter_form.cleaned_data
        everything = selectors.campaign_entries(user=user, campaign=self.object)
        context.update(
            filter_form=filter_form,
            counts=selectors.campaign_counts(everything),
            states=ClosureState.choices,
            entries=selectors.campaign_entries(
                user=user,
                campaign=self.object,
                kind=data.get("kind"),
                state=data.get("state") or "",
            ),
            may_advance=user.has_perm("publicorder.change_closureentry"),
            may_export=ClosureLedgerExport().may_export(user, unmasked=False),
        )
        return context


class ClosureAdvanceView(PermissionRequiredMixin, ScopedActionView):
    """Record a venue's next step in the campaign, with the day."""

    model = ClosureEntry
    scope_action = "change"
    permission_required = "publicorder.change_closureentry"
    template_name = "publicorder/closure_advance.html"
    form_class = forms.ClosureAdvanceForm

    def get_context(self, entry):
        following = NEXT_STATE.get(entry.state)
        return {
            "next_state": ClosureState(following).label if following else None,
            "history": record_history(entry),
        }

    def perform(self, entry, data):
        entry = services.closure_advance(acting_user=self.request.user, entry=entry, **data)
        return _("%(venue)s: %(state)s.") % {
            "venue": entry.venue.name,
            "state": entry.get_state_display(),
        }

    def get_success_url(self, entry):
        return entry.campaign.get_absolute_url() + "#venues"


class CampaignExportView(ScopedActionView):
    """Export the campaign's venue ledger (masked; purpose asked, access logged)."""

    model = ClosureCampaign
    template_name = "publicorder/campaign_export.html"
    form_class = forms.ClosureExportForm

    def post(self, request, *args, **kwargs):
        campaign = self.get_object()
        form = forms.ClosureExportForm(request.POST)
        if form.is_valid():
            try:
                result = export_enqueue(
                    export_name=ClosureLedgerExport.name,
                    params={"campaign_id": campaign.pk},
                    request=request,
                    purpose=form.cleaned_data["purpose"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return HttpResponseRedirect(reverse("core:export_status", args=[result.id]))
        return self.render(campaign, form, status=422)


# ---------------------------------------------------------------------------- events


class EventListView(ScopedListView):
    model = LargeEvent
    template_name = "publicorder/event_list.html"

    def get_queryset(self):
        self.filter_form = forms.EventFilterForm(self.request.GET)
        self.filter_form.is_valid()
        status = self.filter_form.cleaned_data.get("status") or ""
        return selectors.event_list(user=self.request.user, status=status)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter_form": self.filter_form}


class EventNewView(_UnitFormView):
    permission_required = "publicorder.add_largeevent"
    form_class = forms.EventForm
    template_name = "publicorder/form.html"
    extra_context = {"title": _lazy("New large event")}

    def create(self, data):
        return services.event_create(acting_user=self.request.user, **data)


class EventDetailView(ScopedDetailView):
    model = LargeEvent
    template_name = "publicorder/event_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        context["may_cancel"] = event.status == EventStatus.PLANNED and _may_change(
            self.request.user, LargeEvent, event
        )
        context["history"] = record_history(event)
        return context


class EventCancelView(_Titled, PermissionRequiredMixin, ScopedActionView):
    action_title = _lazy("Record its cancellation")
    model = LargeEvent
    scope_action = "change"
    permission_required = "publicorder.change_largeevent"
    template_name = "publicorder/event_cancel.html"
    form_class = forms.EventCancelForm

    def perform(self, event, data):
        services.event_cancel(acting_user=self.request.user, event=event, **data)
        return _("%(name)s is recorded as cancelled.") % {"name": event.name}


class EventRevealView(RevealView):
    model = LargeEvent
    reveal_fields = ("organiser_phone",)


# ---------------------------------------------------------------------------- patrols


class RouteListView(ScopedListView):
    model = PatrolRoute
    template_name = "publicorder/route_list.html"

    def get_queryset(self):
        return selectors.route_list(user=self.request.user)


class RouteDetailView(ScopedDetailView):
    model = PatrolRoute
    template_name = "publicorder/route_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        route = self.object
        user = self.request.user
        context["checkpoints"] = Checkpoint.objects.visible_to(user).filter(route=route)
        context["patrols"] = selectors.patrol_log(user=user).filter(route=route)[:14]
        context["may_start"] = route.is_active and user.has_perm("publicorder.add_patrol")
        return context


class RouteSheetView(ScopedDetailView):
    """The route's checkpoints' QR codes of today (China time), one to a card, for print."""

    model = PatrolRoute
    template_name = "publicorder/route_sheet.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        import segno  # only this page draws QR codes

        today = timezone.localdate()
        cards = []
        for checkpoint in Checkpoint.objects.visible_to(self.request.user).filter(
            route=self.object, is_active=True
        ):
            content = checkpoint_code_content(checkpoint.pk, today)
            qr = segno.make(content, error="m")
            cards.append(
                {
                    "checkpoint": checkpoint,
                    "content": content,
                    "svg": qr.svg_inline(scale=4, omitsize=True),
                }
            )
        context.update(cards=cards, today=today)
        return context


class PatrolStartView(_Titled, PermissionRequiredMixin, ScopedActionView):
    action_title = _lazy("Start a patrol")
    model = PatrolRoute
    permission_required = "publicorder.add_patrol"
    template_name = "publicorder/patrol_start.html"
    form_class = ConfirmForm

    def perform(self, route, data):
        self.patrol = services.patrol_start(acting_user=self.request.user, route=route)
        return _("The patrol of %(route)s has started: check in at each checkpoint.") % {
            "route": route.name
        }

    def get_success_url(self, route):
        return self.patrol.get_absolute_url()


class PatrolLogView(ScopedListView):
    """The patrol log of a day (today by default): each patrol, its officer, check-ins,
    completion, exception and who acknowledged it."""

    model = Patrol
    template_name = "publicorder/patrol_log.html"

    def get_queryset(self):
        self.filter_form = forms.PatrolLogForm(self.request.GET)
        self.filter_form.is_valid()
        self.day = self.filter_form.cleaned_data.get("day") or timezone.localdate()
        return selectors.patrol_log(user=self.request.user, day=self.day)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form,
            day=self.day,
            previous_day=self.day - datetime.timedelta(days=1),
            next_day=self.day + datetime.timedelta(days=1),
        )
        return context


class PatrolExceptionListView(ScopedListView):
    """Patrols late, skipped or short of their threshold that nobody acknowledged;
    `?mine=1`: those of the routes the user leads (the to-do line's list)."""

    model = Patrol
    template_name = "publicorder/patrol_exceptions.html"

    def get_queryset(self):
        user = self.request.user
        if self.request.GET.get("mine"):
            return selectors.patrol_exceptions_for_leader(user=user)
        return selectors.patrol_log(user=user, exceptions=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_acknowledge"] = self.request.user.has_perm("publicorder.change_patrol")
        return context


class PatrolDetailView(ScopedDetailView):
    model = Patrol
    template_name = "publicorder/patrol_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("route", "officer__staff_profile")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        patrol = self.object
        user = self.request.user
        reached = {c.checkpoint_id: c for c in patrol.check_ins.all()}
        context["stops"] = [
            (checkpoint, reached.get(checkpoint.pk))
            for checkpoint in patrol.route.checkpoints.filter(is_active=True)
        ]
        own_open = patrol.status == PatrolStatus.OPEN and patrol.officer_id == user.pk
        context["may_check_in"] = own_open
        context["check_in_form"] = forms.CheckInForm() if own_open else None
        context["may_acknowledge"] = (
            bool(patrol.exception)
            and patrol.acknowledged_at is None
            and _may_change(user, Patrol, patrol)
        )
        return context


class PatrolCheckInView(_Titled, ScopedActionView):
    """Check the patrol in at a checkpoint: the content of its scanned QR code."""

    action_title = _lazy("Check in")
    model = Patrol
    template_name = "publicorder/patrol_check_in.html"
    form_class = forms.CheckInForm

    def get_form(self, patrol, data=None):
        initial = {"code": self.request.GET.get("code", "")}
        return forms.CheckInForm(data, initial=initial)

    def perform(self, patrol, data):
        check_in = services.patrol_check_in(
            acting_user=self.request.user, patrol=patrol, content=data["code"]
        )
        return _("Checked in at %(checkpoint)s.") % {"checkpoint": check_in.checkpoint.name}


class PatrolFinishView(_Titled, ScopedActionView):
    action_title = _lazy("End the patrol")
    model = Patrol
    template_name = "publicorder/patrol_finish.html"
    form_class = ConfirmForm

    def perform(self, patrol, data):
        patrol = services.patrol_finish(acting_user=self.request.user, patrol=patrol)
        return _("The patrol is over: %(done)d of %(total)d checkpoints.") % {
            "done": patrol.checked_in,
            "total": patrol.checkpoints_total,
        }


class PatrolAcknowledgeView(_Titled, PermissionRequiredMixin, ScopedActionView):
    action_title = pgettext_lazy("patrol", "Acknowledge")
    model = Patrol
    scope_action = "change"
    permission_required = "publicorder.change_patrol"
    template_name = "publicorder/patrol_acknowledge.html"
    form_class = forms.AcknowledgeForm

    def perform(self, patrol, data):
        services.patrol_acknowledge(acting_user=self.request.user, patrol=patrol, **data)
        return _("The exception is acknowledged.")


class ScanView(ScopedListView):
    """Where a checkpoint's QR code leads the phone: the code is checked at once (a code of
    another day or a made-up one says so), then the user's patrols under way today on that
    checkpoint's route offer to check in. Without a code: today's patrols under way."""

    model = Patrol
    template_name = "publicorder/scan.html"

    def get(self, request, *args, **kwargs):
        self.code = request.GET.get("code", "")
        self.checkpoint = None
        self.refused = ""
        if self.code:
            try:
                scanned = code_read(self.code)
            except CodeRefused as exc:
                self.refused = str(exc)
            else:
                self.checkpoint = (
                    Checkpoint.objects.visible_to(request.user)
                    .filter(pk=scanned.checkpoint_id)
                    .select_related("route")
                    .first()
                )
                if self.checkpoint is None:
                    self.refused = _("This checkpoint is not in your jurisdiction.")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = selectors.open_patrols_today(user=self.request.user, today=timezone.localdate())
        if self.checkpoint is not None:
            qs = qs.filter(route=self.checkpoint.route, officer=self.request.user)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(code=self.code, checkpoint=self.checkpoint, refused=self.refused)
        return context


# ---------------------------------------------------------------------------- incidents


class IncidentDashboardView(ScopedListView):
    """Incidents of a period against the same period last year, by unit and category, with
    a chart; under it the imported daily rows the figures are summed from."""

    model = IncidentCount
    template_name = "publicorder/incidents.html"
    paginate_by = 100

    def get(self, request, *args, **kwargs):
        self.filter_form = forms.IncidentPeriodForm(request.GET, user=request.user)
        valid = self.filter_form.is_valid()
        data = self.filter_form.cleaned_data if valid else {}
        today = timezone.localdate()
        self.until = data.get("until") or today
        self.since = data.get("since") or self.until - datetime.timedelta(days=29)
        self.unit = data.get("unit") or user_scope_unit(request.user)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            selectors.incident_rows(
                user=self.request.user, unit=self.unit, since=self.since, until=self.until
            )
            .select_related("unit")
            .order_by("-day", "unit__path", "category")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        comparison = None
        if self.unit is not None:
            comparison = selectors.incident_comparison(
                user=self.request.user, unit=self.unit, since=self.since, until=self.until
            )
        context.update(
            filter_form=self.filter_form,
            comparison=comparison,
            categories=IncidentCategory.choices,
            chart=comparison_chart_svg(comparison) if comparison else "",
            since=self.since,
            until=self.until,
        )
        return context
