"""The public self-report page (自主上报): a person under observation opens the private
link from their SMS and reports their temperature, with no account.

Rate limits (DESIGN: 1,000 reports from one address in a minute are refused, and nothing
is lost from honest users): everyone at an isolation hotel shares the wifi's one address,
so requests are never counted per address alone. Reports are counted per link, and only
the requests with a link that does not work are counted per address.

CSRF protection stays on: the form's GET sets the CSRF cookie like any other page.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from outpost.core.masking import mask_name
from outpost.core.ratelimit import RateLimit, rate_limit_hit
from outpost.observation.choices import Symptom
from outpost.observation.services.alerts import fever_alert_raised
from outpost.observation.services.links import (
    BAD_LINKS_PER_ADDRESS,
    NONCE_PATTERN,
    PER_LINK,
    LinkUnusable,
    TooManyReports,
    link_resolve,
    self_report_submit,
)

__all__ = ["BAD_LINKS_PER_ADDRESS", "PER_LINK", "SelfReportView"]

TEMPLATE = "observation/self_report.html"


@method_decorator(never_cache, name="dispatch")
class SelfReportView(View):
    """GET: the person's form; POST: store the check-in and thank them."""

    def get(self, request, token: str):
        try:
            link = link_resolve(token)
        except LinkUnusable as exc:
            return _unusable(request, exc)
        return _form(request, link, nonce=secrets.token_urlsafe(16))

    def post(self, request, token: str):
        try:
            link = link_resolve(token)
        except LinkUnusable as exc:
            return _unusable(request, exc)
        nonce = request.POST.get("form_nonce", "")
        symptoms = request.POST.getlist("symptoms")
        temperature = request.POST.get("temperature", "")
        try:
            check_in, _created = self_report_submit(
                link=link, temperature=temperature, symptoms=symptoms, form_nonce=nonce
            )
        except TooManyReports as exc:
            return _too_many(request, exc.limit)
        except LinkUnusable as exc:
            return _unusable(request, exc)
        except ValidationError as exc:
            if not NONCE_PATTERN.fullmatch(nonce):
                nonce = secrets.token_urlsafe(16)
            return _form(
                request,
                link,
                nonce=nonce,
                errors=exc.message_dict,
                entered={"temperature": temperature, "symptoms": symptoms},
            )
        fever = fever_alert_raised(check_in)
        return render(
            request,
            TEMPLATE,
            {"state": "thanks", "check_in": check_in, "fever": fever, **_person(link)},
        )


def _person(link) -> dict:
    """What the page may show about the person: a masked name and the day of observation."""
    episode = link.episode
    today = timezone.localdate()
    return {
        "masked_name": mask_name(episode.key_person.display_name),
        "day": episode.day_number(today),
        "days": episode.day_number(episode.planned_end_date),
        "check_in_times": episode.check_in_times,
    }


def _form(request, link, *, nonce: str, errors=None, entered=None):
    errors = errors or {}
    entered = entered or {"temperature": "", "symptoms": []}
    return render(
        request,
        TEMPLATE,
        {
            "state": "form",
            "nonce": nonce,
            "symptom_choices": Symptom.choices,
            "temperature_error": " ".join(errors.get("temperature", [])),
            "other_errors": [
                message
                for field, messages in errors.items()
                if field != "temperature"
                for message in messages
            ],
            "entered": entered,
            **_person(link),
        },
    )


def _unusable(request, exc: LinkUnusable):
    address = request.META.get("REMOTE_ADDR", "")
    if rate_limit_hit(limit=BAD_LINKS_PER_ADDRESS, key=address):
        return _too_many(request, BAD_LINKS_PER_ADDRESS)
    return render(
        request, TEMPLATE, {"state": "unusable", "message": exc.message}, status=exc.status
    )


def _too_many(request, limit: RateLimit):
    response = render(request, TEMPLATE, {"state": "too_many"}, status=429)
    response["Retry-After"] = str(limit.seconds)
    return response
