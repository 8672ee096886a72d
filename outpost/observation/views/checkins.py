"""A check-in entered by staff (工作人员录入体温) for one episode: temperature, symptoms and
the time it was taken. Back on the episode afterwards, with a warning when it raised an
alert."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.viewmixins import ScopedActionView
from outpost.observation.choices import AlertKind, CheckInSource
from outpost.observation.forms import CheckInForm
from outpost.observation.models import Episode
from outpost.observation.services.checkins import check_in_record


class CheckInCreateView(PermissionRequiredMixin, ScopedActionView):
    model = Episode
    scope_action = "view"
    permission_required = "observation.add_checkin"
    template_name = "observation/check_in_form.html"
    context_object_name = "episode"

    def get_form(self, episode, data=None):
        return CheckInForm(data, initial={"form_nonce": secrets.token_urlsafe(24)})

    def get_context(self, episode):
        return {"person": episode.key_person}

    def perform(self, episode, data):
        check_in, _created = check_in_record(
            episode=episode,
            temperature=data["temperature"],
            symptoms=data["symptoms"],
            taken_at=data["taken_at"],
            source=CheckInSource.STAFF,
            acting_user=self.request.user,
            note=data["note"],
            form_nonce=data["form_nonce"],
        )
        if check_in.alerts.filter(kind=AlertKind.FEVER).exists():
            messages.warning(
                self.request,
                _(
                    "Fever alert raised: the four-on-one team and the medical staff on duty "
                    "have been notified. Follow it up on the alerts page."
                ),
            )
        return _("Check-in saved: %(temperature)s °C at %(time)s.") % {
            "temperature": check_in.temperature,
            "time": timezone.localtime(check_in.taken_at).strftime("%H:%M"),
        }
