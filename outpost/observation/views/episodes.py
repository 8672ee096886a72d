"""Observation episode pages (观察期): the list, one episode with the person's timeline and
check-ins, and the steps of an episode: start from a key person, extend, end, continue
into observation at home, confirm the release."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from outpost.core.scoping import get_visible
from outpost.core.viewmixins import (
    ScopedActionView,
    ScopedDetailView,
    ScopedListView,
    ScopedViewMixin,
    form_add_service_errors,
)
from outpost.keypersons.models import KeyPerson
from outpost.observation import selectors
from outpost.observation.choices import OPEN_EPISODE_STATUSES, EpisodeKind, EpisodeStatus, Symptom
from outpost.observation.forms import (
    STATUS_OPEN,
    EpisodeContinueForm,
    EpisodeEndForm,
    EpisodeExtendForm,
    EpisodeFilterForm,
    EpisodeReleaseForm,
    EpisodeStartForm,
)
from outpost.observation.models import Alert, Episode, ObservationPolicy
from outpost.observation.services.episodes import (
    episode_continue,
    episode_end,
    episode_extend,
    episode_release_confirm,
    episode_start,
)


class EpisodeListView(ScopedListView):
    """Episodes of the user's jurisdiction (open ones by default): who, how, day N of M,
    where, the latest temperature, unresolved alerts; missed check-ins marked."""

    model = Episode
    template_name = "observation/episode_list.html"
    partial_template_name = "observation/partials/episode_rows.html"

    def get(self, request, *args, **kwargs):
        # Open episodes unless the user chose a status ("All" sends it empty).
        data = request.GET.copy()
        data.setdefault("status", STATUS_OPEN)
        self.filter_form = EpisodeFilterForm(
            data, sites=selectors.visible_sites(user=request.user, active_only=False)
        )
        self.filter_form.is_valid()  # an invalid filter (a site not in scope) is dropped
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = self.filter_form.cleaned_data
        return selectors.episode_rows(
            user=self.request.user,
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            site=data.get("site"),
            due=bool(data.get("due")),
            query=data.get("q") or "",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for episode in context["object_list"]:
            episode.day = episode_day(episode, today)
        context.update(
            filter_form=self.filter_form,
            today=today,
            fever_threshold=ObservationPolicy.current().fever_threshold,
        )
        return context


class EpisodeDetailView(ScopedDetailView):
    """One episode: the person, the plan and its extensions, the room, the check-ins (the
    latest first), the alerts, and the person's other episodes in order."""

    model = Episode
    template_name = "observation/episode_detail.html"

    def get_queryset(self):
        return selectors.episode_detail_queryset(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        episode = self.object
        today = timezone.localdate()
        can_change = (
            episode.is_open
            and Episode.objects.visible_to(user, "change").filter(pk=episode.pk).exists()
        )
        episode.day = episode_day(episode, today)
        check_ins = list(
            selectors.episode_check_ins(user=user, episode=episode).select_related(
                "recorded_by__staff_profile"
            )[:100]
        )
        symptoms = dict(Symptom.choices)
        for check_in in check_ins:
            check_in.symptom_labels = [symptoms.get(code, code) for code in check_in.symptoms]
        context.update(
            today=today,
            timeline=_timeline(user, episode),
            current_stay=selectors.open_stay(episode),
            check_ins=check_ins,
            alerts=Alert.objects.visible_to(user)
            .filter(episode=episode)
            .select_related("check_in")
            .order_by("-raised_at")[:20],
            fever_threshold=ObservationPolicy.current().fever_threshold,
            can_change=can_change,
            can_stay=can_change
            and episode.kind == EpisodeKind.CENTRALIZED
            and user.has_perm("observation.change_roomstay"),
            is_due=episode.is_open
            and (episode.status == EpisodeStatus.RELEASE_DUE or episode.planned_end_date < today),
        )
        return context


def _timeline(user, episode: Episode) -> list[Episode]:
    """The person's episodes, oldest first, with their extensions and stays; those the user
    may not see (recorded while the person lived elsewhere) are left out."""
    visible = set(
        Episode.objects.visible_to(user)
        .filter(key_person_id=episode.key_person_id)
        .values_list("pk", flat=True)
    )
    return [e for e in selectors.episode_timeline(episode.key_person) if e.pk in visible]


def episode_day(episode: Episode, today) -> dict:
    """ "Day N of M": M the planned days (the start day is day 1), whether today is before
    the start or past the planned end."""
    length = (episode.planned_end_date - episode.start_date).days + 1
    number = episode.day_number(today)
    return {
        "number": number,
        "length": length,
        "before_start": number < 1,
        "past_end": number > length,
    }


class EpisodeStartView(ScopedViewMixin, PermissionRequiredMixin, View):
    """Start observing a key person (`pk` is the key person): kind, start, planned end
    (blank: the plan's), site for centralized isolation, check-in times."""

    model = KeyPerson
    permission_required = "observation.add_episode"
    template_name = "observation/episode_start.html"

    def _form(self, key_person, data=None):
        return EpisodeStartForm(data, sites=selectors.sites_serving(key_person.unit))

    def get(self, request, pk):
        key_person = get_visible(KeyPerson, request.user, pk)
        initial_kind = request.GET.get("kind")
        form = self._form(key_person)
        if initial_kind in EpisodeKind.values:
            form.initial["kind"] = initial_kind
        return self._render(key_person, form)

    def post(self, request, pk):
        key_person = get_visible(KeyPerson, request.user, pk)
        form = self._form(key_person, request.POST)
        if not form.is_valid():
            return self._render(key_person, form, status=422)
        try:
            episode = episode_start(
                acting_user=request.user, key_person=key_person, **form.cleaned_data
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self._render(key_person, form, status=422)
        messages.success(
            request,
            _("%(name)s: %(kind)s from %(start)s to %(end)s.")
            % {
                "name": key_person.display_name,
                "kind": episode.get_kind_display(),
                "start": episode.start_date.isoformat(),
                "end": episode.planned_end_date.isoformat(),
            },
        )
        return HttpResponseRedirect(episode.get_absolute_url())

    def _render(self, key_person, form, status=200):
        open_episode = (
            Episode.objects.visible_to(self.request.user)
            .filter(key_person=key_person, status__in=OPEN_EPISODE_STATUSES)
            .first()
        )
        return render(
            self.request,
            self.template_name,
            {"key_person": key_person, "form": form, "open_episode": open_episode},
            status=status,
        )


class _EpisodeStepView(ScopedActionView):
    """A step on one open episode (`pk`), back to the episode (or the one it led to)."""

    model = Episode
    scope_action = "change"

    def get_context(self, episode):
        return {"today": timezone.localdate()}


class EpisodeExtendView(_EpisodeStepView):
    """Extend an episode to a later planned end, with the reason (延长观察)."""

    form_class = EpisodeExtendForm
    template_name = "observation/episode_extend.html"

    def perform(self, episode, data):
        episode = episode_extend(acting_user=self.request.user, episode=episode, **data)
        return _("Observation extended to %(date)s.") % {
            "date": episode.planned_end_date.isoformat()
        }


class EpisodeEndView(_EpisodeStepView):
    """Release from observation (解除观察) in one confirmation: the reason, the day, the key
    person's state afterwards; a person in a room is checked out and the room cleaned."""

    form_class = EpisodeEndForm
    template_name = "observation/episode_end.html"

    def perform(self, episode, data):
        episode = episode_end(acting_user=self.request.user, episode=episode, **data)
        return _("Released from observation: %(reason)s. %(name)s is now %(state)s.") % {
            "reason": episode.get_end_reason_display(),
            "name": episode.key_person.display_name,
            "state": episode.key_person.get_status_display(),
        }


class EpisodeContinueView(_EpisodeStepView):
    """End an episode as completed and continue with observation at home, chained to it;
    the page of the new episode follows."""

    form_class = EpisodeContinueForm
    template_name = "observation/episode_continue.html"

    def perform(self, episode, data):
        self.continued = episode_continue(acting_user=self.request.user, episode=episode, **data)
        return _("%(kind)s started, until %(date)s.") % {
            "kind": self.continued.get_kind_display(),
            "date": self.continued.planned_end_date.isoformat(),
        }

    def get_success_url(self, episode):
        return self.continued.get_absolute_url()


class EpisodeReleaseView(_EpisodeStepView):
    """Confirm the release of a person whose observation is complete (确认解除观察)."""

    form_class = EpisodeReleaseForm
    template_name = "observation/episode_release.html"

    def perform(self, episode, data):
        episode = episode_release_confirm(acting_user=self.request.user, episode=episode, **data)
        return _("%(name)s is released from observation and is now %(state)s.") % {
            "name": episode.key_person.display_name,
            "state": episode.key_person.get_status_display(),
        }
