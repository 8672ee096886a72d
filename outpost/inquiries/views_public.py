"""The public pages of the questions and answers (no account): a unit's page to ask a
question (a link and a QR code per unit), the private link where the asker reads the
answer, and the unit's searchable FAQ. Light on a phone: one small stylesheet, no script.

Rate limits (`services.PER_ADDRESS`, `PER_PHONE`) refuse floods from one address or for one
phone; a hidden field no person fills (the honeypot) turns robots away without a
third-party captcha. CSRF protection stays on.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from outpost.core.models import Unit
from outpost.inquiries import selectors, services

# The honeypot: a field hidden from people by the stylesheet, named to tempt robots.
HONEYPOT = "website"


def _unit(unit_id: int) -> Unit:
    unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise Http404
    return unit


def qr_available() -> bool:
    try:
        import segno  # noqa: F401
    except ImportError:
        return False
    return True


@method_decorator(never_cache, name="dispatch")
class AskView(View):
    """GET: the form; POST: file the question and show its private link once."""

    template_name = "inquiries/public_ask.html"

    def get(self, request, unit_id: int):
        return self.render(_unit(unit_id), {})

    def post(self, request, unit_id: int):
        unit = _unit(unit_id)
        text, phone = request.POST.get("text", ""), request.POST.get("phone", "")
        if request.POST.get(HONEYPOT):
            # A robot: answered as if filed, nothing stored.
            return render(request, self.template_name, {"unit": unit, "state": "thanks"})
        try:
            _question, token = services.question_ask(
                unit=unit, text=text, phone=phone, address=request.META.get("REMOTE_ADDR", "")
            )
        except services.TooManyQuestions as exc:
            response = render(
                request, self.template_name, {"unit": unit, "state": "too_many"}, status=429
            )
            response["Retry-After"] = str(exc.limit.seconds)
            return response
        except ValidationError as exc:
            return self.render(
                unit, {"errors": exc.message_dict, "entered": {"text": text, "phone": phone}}, 422
            )
        link = reverse("inquiries_public:answer", args=[token])
        return render(
            request,
            self.template_name,
            {
                "unit": unit,
                "state": "filed",
                "link": link,
                "full_link": services.private_link(token),
            },
        )

    def render(self, unit, extra: dict, status: int = 200):
        context = {"unit": unit, "state": "form", "honeypot": HONEYPOT, "entered": {}, **extra}
        return render(self.request, self.template_name, context, status=status)


@method_decorator(never_cache, name="dispatch")
class PrivateAnswerView(View):
    """The asker's private link: the question, its answer when there is one, and any
    correction. Found by the token alone."""

    def get(self, request, token: str):
        question = selectors.question_by_token(token)
        if question is None:
            raise Http404
        return render(request, "inquiries/public_answer.html", {"question": question})


class PublicFaqView(View):
    """A unit's published FAQ (its own entries and its ancestors'), searchable."""

    def get(self, request, unit_id: int):
        unit = _unit(unit_id)
        query = request.GET.get("q", "")[:200]
        entries = selectors.faq_public(unit=unit, query=query)
        return render(
            request, "inquiries/public_faq.html", {"unit": unit, "entries": entries, "q": query}
        )


class QrCodeView(View):
    """The QR code (SVG) of a unit's public page."""

    def get(self, request, unit_id: int):
        unit = _unit(unit_id)
        if not qr_available():
            raise Http404
        import segno

        url = services.public_page_link(unit)
        out = io.BytesIO()
        segno.make(url, error="m").save(out, kind="svg", scale=6, border=2)
        response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
        response["Cache-Control"] = "public, max-age=86400"
        return response
