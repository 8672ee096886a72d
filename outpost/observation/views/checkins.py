"""A check-in entered by staff (工作人员录入体温) for one episode: temperature, symptoms and
the time it was taken. Back on the episode afterwards, with a warning when it raised an
alert."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from outpost.core.scoping import get_visible
from outpost.core.viewmixins import ScopedViewMixin, form_add_service_errors
from outpost.observation.choices import AlertKind, CheckInSource
from outpost.observation.forms import CheckInForm
from outpost.observation.models import Episode
from outpost.observation.services.checkins import check_in_record

TEMPLATE = "observation/check_in_form.html"


class CheckInCreateView(ScopedViewMixin, PermissionRequiredMixin, View):
    model = Episode
    permission_required = "observation.add_checkin"

    def get(self, request, pk):
        episode = get_visible(Episode, request.user, pk)
        form = CheckInForm(initial={"form_nonce": secrets.token_urlsafe(24)})
        return self._render(episode, form)

    def post(self, request, pk):
        episode = get_visible(Episode, request.user, pk)
        form = CheckInForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                check_in, _created = check_in_record(
                    episode=episode,
                    temperature=data["temperature"],
                    symptoms=data["symptoms"],
                    taken_at=data["taken_at"],
                    source=CheckInSource.STAFF,
                    acting_user=request.user,
                    note=data["note"],
                    form_nonce=data["form_nonce"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                self._announce(check_in)
                return HttpResponseRedirect(episode.get_absolute_url())
        return self._render(episode, form, status=422)

    def _announce(self, check_in) -> None:
        messages.success(
            self.request,
            _("Check-in saved: %(temperature)s °C at %(time)s.")
            % {
                "temperature": check_in.temperature,
                "time": timezone.localtime(check_in.taken_at).strftime("%H:%M"),
            },
        )
        if check_in.alerts.filter(kind=AlertKind.FEVER).exists():
            messages.warning(
                self.request,
                _(
                    "Fever alert raised: the four-on-one team and the medical staff on duty "
                    "have been notified. Follow it up on the alerts page."
                ),
            )

    def _render(self, episode, form, status=200):
        return render(
            self.request,
            TEMPLATE,
            {"episode": episode, "person": episode.key_person, "form": form},
            status=status,
        )
