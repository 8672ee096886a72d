"""Panels on an enterprise's page (企业详情页的板块): the other parts of the module (notices,
requests, donations, dormitories, daily tests) hang their sections there without the page
knowing them.

A part calls, from ``AppConfig.ready()`` (or its module's import in ``enterprises.apps``)::

    register_enterprise_panel("enterprises/partials/requests_panel.html", requests_panel, order=20)

`context_fn(*, user, enterprise)` returns the template's context (a dict; the page adds
``enterprise`` and ``user``), or None to leave the panel out for that user; it reads through
scoped querysets like every other read. Panels are shown in `order`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class EnterprisePanel:
    template: str
    context_fn: Callable[..., dict | None]
    order: int


_PANELS: dict[str, EnterprisePanel] = {}


def register_enterprise_panel(template: str, context_fn: Callable[..., dict | None], order: int):
    """Add a panel (by template: registering it again replaces it)."""
    _PANELS[template] = EnterprisePanel(template, context_fn, order)


def enterprise_panels() -> list[EnterprisePanel]:
    return sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.template))


def render_enterprise_panels(*, request, enterprise) -> list[str]:
    """The panels' HTML for the enterprise's page, in order."""
    rendered = []
    for panel in enterprise_panels():
        context = panel.context_fn(user=request.user, enterprise=enterprise)
        if context is None:
            continue
        context = {**context, "enterprise": enterprise, "user": request.user}
        rendered.append(render_to_string(panel.template, context, request=request))
    return rendered
