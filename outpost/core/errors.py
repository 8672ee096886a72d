"""Error pages (出错页面): 403, 404, 429 and 500 in the app's shell, translated, with a way
back; requests under the API prefix keep JSON errors (``{"detail": …}``).

Wired in ``outpost/urls.py`` as ``handler403/404/500``; the log-in lockout (429, django-axes)
uses the same shell (``registration/locked_out.html``), while the public self-report page
keeps its own 429 inside the person's form. The 500 page is rendered without the request's context
processors and without touching the database: whatever broke the request may break those.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

API_PREFIX = "/api/"

logger = logging.getLogger(__name__)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template, request=request), status=status)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("You may not do this.")}, status=403)
    return _page(request, "errors/403.html", 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return _page(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("Something went wrong on our side.")}, status=500)
    try:
        # A plain render: no context processors (they read the database and the session).
        body = loader.render_to_string("errors/500.html", {"home": "/"})
    except Exception:  # the template layer itself is broken: a page that needs nothing
        logger.exception("the 500 page could not be rendered")
        body = "<!DOCTYPE html><title>500</title><h1>500</h1><p><a href='/'>Outpost</a></p>"
    return HttpResponse(body, status=500)
