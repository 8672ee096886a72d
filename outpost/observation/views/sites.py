"""Isolation site pages (集中隔离点): the list, the occupancy board (房态图), new sites and
rooms, room states, who stays in which room (check in, move, check out) and the staff on
duty."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from outpost.core.forms import ConfirmForm
from outpost.core.masking import mask_name
from outpost.core.models import Unit
from outpost.core.scoping import get_visible
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.observation import selectors
from outpost.observation.forms import (
    RoomsAddForm,
    RoomStateForm,
    SiteForm,
    SiteStaffForm,
    StayCheckInForm,
    StayMoveForm,
)
from outpost.observation.models import Episode, IsolationSite, Room
from outpost.observation.services.sites import (
    room_status_set,
    rooms_add,
    site_create,
    site_staff_add,
    stay_check_in,
    stay_check_out,
    stay_move,
)


class SiteListView(ScopedListView):
    """Isolation sites of the user's jurisdiction, with rooms, occupied and free."""

    model = IsolationSite
    template_name = "observation/site_list.html"

    def get_queryset(self):
        return selectors.site_list(user=self.request.user)


class SiteDetailView(ScopedDetailView):
    """A site's occupancy board: rooms by floor as tiles (free, occupied with the
    occupant's masked name, cleaning, out of service), the counts, the staff on duty and
    the people waiting for a room. htmx refreshes the board alone."""

    model = IsolationSite
    template_name = "observation/site_detail.html"
    partial_template_name = "observation/partials/site_board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        site = self.object
        today = timezone.localdate()
        context.update(
            board=selectors.site_board(user=user, site=site),
            staff=selectors.site_staff_on_duty(user=user, site=site, day=today),
            awaiting=selectors.episodes_awaiting_room(user=user, site=site),
            today=today,
        )
        return context


def _ok(request, message, url):
    messages.success(request, message)
    return HttpResponseRedirect(url)


class SiteNewView(ScopedViewMixin, PermissionRequiredMixin, View):
    """Set up an isolation site of a unit of the user's jurisdiction."""

    model = Unit
    permission_required = "observation.add_isolationsite"
    template_name = "observation/site_new.html"

    def _form(self, data=None):
        return SiteForm(
            data, units=Unit.objects.visible_to(self.request.user).filter(is_active=True)
        )

    def get(self, request):
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request):
        # A unit from outside the user's scope is a 404, not a form error.
        if request.POST.get("unit"):
            get_visible(Unit, request.user, request.POST["unit"])
        form = self._form(request.POST)
        if form.is_valid():
            try:
                site = site_create(acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return _ok(
                    request,
                    _("Site %(name)s set up.") % {"name": site.name},
                    site.get_absolute_url(),
                )
        return render(request, self.template_name, {"form": form}, status=422)


class _SiteStepView(PermissionRequiredMixin, ScopedActionView):
    """A form about one site (`pk`), back to the site's board."""

    model = IsolationSite
    scope_action = "view"


class RoomsAddView(_SiteStepView):
    """Add rooms on a floor: single numbers and ranges ("301-320, 325")."""

    permission_required = "observation.add_room"
    template_name = "observation/room_add.html"

    form_class = RoomsAddForm

    def perform(self, site, data):
        rooms = rooms_add(acting_user=self.request.user, site=site, **data)
        return _("%(n)d rooms added on floor %(floor)s.") % {
            "n": len(rooms),
            "floor": data["floor"],
        }


class StayCheckInView(_SiteStepView):
    """Check a person in centralized isolation at this site into a free room (入住);
    `?episode=` and `?room=` preselect."""

    permission_required = "observation.add_roomstay"
    template_name = "observation/site_check_in.html"

    # The choices accepted are wider than those shown (free rooms, people without a room):
    # when a room was taken or a person housed since the form was shown, the service says
    # which, next to the field, instead of "not a valid choice".
    def get_form(self, site, data=None):
        if data is not None:
            return StayCheckInForm(
                data,
                episodes=Episode.objects.visible_to(self.request.user, "change").filter(site=site),
                rooms=Room.objects.filter(site=site),
            )
        return self._shown_form(site)

    def _shown_form(self, site, data=None):
        form = StayCheckInForm(
            data,
            episodes=selectors.episodes_awaiting_room(user=self.request.user, site=site),
            rooms=selectors.free_rooms(site=site),
        )
        for field in ("episode", "room"):
            if self.request.GET.get(field, "").isdigit():
                form.initial[field] = int(self.request.GET[field])
        return form

    def render(self, site, form, status=200):
        if form.is_bound:  # refused: the choices shown again are those still open
            shown = self._shown_form(site, form.data)
            shown.errors.clear()
            shown.errors.update(form.errors)
            form = shown
        return super().render(site, form, status)

    def perform(self, site, data):
        stay = stay_check_in(acting_user=self.request.user, **data)
        return _("%(name)s checked into room %(room)s.") % {
            "name": stay.episode.key_person.display_name,
            "room": stay.room.number,
        }


class SiteStaffAddView(_SiteStepView):
    """Put a staff member on duty at the site (驻点人员)."""

    permission_required = "observation.add_sitestaff"
    template_name = "observation/site_staff_add.html"

    def get_form(self, site, data=None):
        return SiteStaffForm(data, users=selectors.staff_candidates(user=self.request.user))

    def perform(self, site, data):
        duty = site_staff_add(acting_user=self.request.user, site=site, **data)
        return _("%(name)s is on duty: %(role)s.") % {
            "name": getattr(duty.user, "staff_profile", None) or duty.user.username,
            "role": duty.get_role_display(),
        }


class _StayView(PermissionRequiredMixin, ScopedActionView):
    """A change of the room of one episode (`pk`) of centralized isolation, back to the
    site's board."""

    model = Episode
    scope_action = "change"
    permission_required = "observation.change_roomstay"

    def get_success_url(self, episode):
        return episode.site.get_absolute_url() if episode.site_id else episode.get_absolute_url()

    def get_context(self, episode):
        return {"stay": selectors.open_stay(episode)}


class StayMoveView(_StayView):
    """Move the person to another free room of the site (换房); the old one is cleaned."""

    template_name = "observation/room_move.html"

    def get_form(self, episode, data=None):
        rooms = selectors.free_rooms(site=episode.site) if episode.site_id else Room.objects.none()
        return StayMoveForm(data, rooms=rooms)

    def perform(self, episode, data):
        stay = stay_move(acting_user=self.request.user, episode=episode, **data)
        return _("%(name)s moved to room %(room)s.") % {
            "name": episode.key_person.display_name,
            "room": stay.room.number,
        }


class StayCheckOutView(_StayView):
    """Check the person out of their room (退房); the room is cleaned next."""

    template_name = "observation/room_check_out.html"

    form_class = ConfirmForm

    def perform(self, episode, data):
        stay = stay_check_out(acting_user=self.request.user, episode=episode)
        return _("%(name)s checked out of room %(room)s; the room is to be cleaned.") % {
            "name": episode.key_person.display_name,
            "room": stay.room.number,
        }


def _occupant(room: Room) -> str:
    """The masked name of whoever stays in the room, or ""."""
    stay = (
        room.stays.filter(checked_out_at__isnull=True)
        .select_related("episode__key_person__resident")
        .first()
    )
    return mask_name(stay.episode.key_person.display_name) if stay else ""


class RoomStateView(ScopedActionView):
    """Set a room free, being cleaned or out of service (房态); the board's tile links here."""

    model = Room
    scope_action = "change"
    template_name = "observation/room_state.html"

    def get_form(self, room, data=None):
        return RoomStateForm(data, initial={"status": room.status})

    def perform(self, room, data):
        room = room_status_set(acting_user=self.request.user, room=room, **data)
        return _("Room %(room)s: %(state)s.") % {
            "room": room.number,
            "state": room.get_status_display(),
        }

    def get_success_url(self, room):
        return reverse("observation:site_detail", args=[room.site_id])

    def get_context(self, room):
        return {"occupant": _occupant(room)}
