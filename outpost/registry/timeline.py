"""The registry's part of a person's story: when the resident was registered, and each
door-to-door visit with what they declared (travel and health). Registered with core's
timeline in ``RegistryConfig.ready()``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.timeline import TimelineEvent
from outpost.registry.models import Household, Resident, VisitMember


def staff_name(user) -> str:
    """A staff member as the pages name them (display name, else the login)."""
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile is not None else user.get_username()


def _travel(member: VisitMember) -> str:
    if not member.travelled:
        return _("No travel in the last 14 days")
    parts = [member.origin_place]
    if member.returned_on:
        parts.append(_("back on %(day)s") % {"day": date_format(member.returned_on, "Y-m-d")})
    if member.transport:
        parts.append(member.get_transport_display())
    return " · ".join(parts)


def registry_events(*, user, resident: Resident | None = None, key_person=None) -> list:
    if resident is None:
        return []
    events = [
        TimelineEvent(
            at=resident.created_at,
            kind="registered",
            kind_label=gettext_lazy("Registry"),
            title=_("Added to the population registry"),
        )
    ]
    members = (
        VisitMember.objects.visible_to(user)
        .filter(resident=resident)
        .select_related("visit__campaign", "visit__visited_by__staff_profile")
    )
    visible_households = set(
        Household.objects.visible_to(user)
        .filter(pk__in=[m.visit.household_id for m in members])
        .values_list("pk", flat=True)
    )
    for member in members:
        visit = member.visit
        facts = [
            (gettext_lazy("Presence"), member.get_presence_display()),
            (gettext_lazy("Travel"), _travel(member)),
            (gettext_lazy("Health"), member.get_health_status_display()),
            (gettext_lazy("Visited by"), staff_name(visit.visited_by)),
        ]
        events.append(
            TimelineEvent(
                at=visit.visited_at,
                kind="visit",
                kind_label=gettext_lazy("Door-to-door visit"),
                title=f"{visit.campaign.name} · {visit.get_outcome_display()}",
                facts=tuple(facts),
                url=reverse("registry:household_detail", args=[visit.household_id])
                if visit.household_id in visible_households
                else "",
            )
        )
    return events
