"""Who is on duty (值班人员): the one question the alert, dispatch and escalation flows ask
before they choose their recipients.

Core knows nothing of the duty roster (DESIGN rule 6): the app that keeps the roster
(`outpost.duty`) registers a resolver from its ``AppConfig.ready()``. A flow asks
`on_duty_users(...)`; None means that no roster covers the question (no post of that kind
for the unit or site, or no published shift then), and the flow falls back to its
configured people, saying so with `fallback_warning`. An empty list never comes back.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger("outpost.on_duty")

# The kinds of post the flows ask about (the duty app's `PostKind` has the same values).
ISOLATION_SITE = "isolation_site"
PLATFORM_WATCH = "platform_watch"
PATROL = "patrol"
DUTY_DESK = "duty_desk"
PIONEER = "pioneer"

# resolver(unit, *, post_kind, role, site_id, at) -> list of users or None
Resolver = Callable[..., list | None]
_RESOLVERS: list[Resolver] = []


def register_on_duty_resolver(resolver: Resolver) -> None:
    """Add a resolver (from an app's ``ready()``); registering the same one twice is a no-op."""
    if resolver not in _RESOLVERS:
        _RESOLVERS.append(resolver)


def on_duty_users(
    unit,
    *,
    post_kind: str | None = None,
    role: str | None = None,
    site_id: int | None = None,
    at: datetime.datetime | None = None,
) -> list | None:
    """The active users on duty at `at` (now by default) for `unit` (a post at the unit or
    above it), optionally only posts of `post_kind`, at the isolation site `site_id`, and
    people holding `role`. None when no registered roster covers it."""
    at = at or timezone.now()
    for resolver in _RESOLVERS:
        users = resolver(unit, post_kind=post_kind, role=role, site_id=site_id, at=at)
        if users:
            return list(users)
    return None


def fallback_note(what, where) -> str:
    """The line a flow shows where nobody was rostered (in the current language)."""
    return _("Nobody is on duty for %(what)s at %(where)s: sent to the configured people.") % {
        "what": what,
        "where": where,
    }


def fallback_warning(what, where) -> str:
    """Log that nobody was rostered for `what` at `where` and the configured people were
    used; returns the line the flow shows (e.g. in its log of steps)."""
    logger.warning("Nobody on duty for %s at %s: sent to the configured people.", what, where)
    return fallback_note(what, where)
