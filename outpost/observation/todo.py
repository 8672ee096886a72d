"""Observation's lines of the home page's to-do list (今日待办).

- a four-on-one worker: the open alerts of their own key persons;
- officers, cadres, auxiliaries and medical staff: the alerts of their area to handle;
- the station leader: the escalated alerts nobody has resolved;
- staff on duty at an isolation site today (as its officer or manager): people waiting for
  a room, free rooms, rooms being cleaned, and missed check-ins at the site.

Each count is the row count of the list its link opens (the alert list with its filters, or
the site's board)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from outpost.core.choices import Role
from outpost.core.shell import TODO_DUE, TODO_NORMAL, TODO_OVERDUE, TodoLine, TodoSource, todo_line
from outpost.observation.choices import AlertKind, AlertStatus, RoomStatus, SiteStaffRole
from outpost.observation.models import RoomStay, SiteStaff
from outpost.observation.selectors import (
    alert_rows,
    episodes_awaiting_room,
    free_rooms,
    visible_sites,
)

# Sites a site officer holds at once are few; the home shows at most these.
SITES_SHOWN = 3


def _alerts_url(**filters) -> str:
    return reverse("observation:alert_list") + "?" + urlencode(filters)


def own_alert_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Open alerts of my key persons"),
            alert_rows(user=user, status=AlertStatus.OPEN, mine=True).order_by(),
            _alerts_url(status=AlertStatus.OPEN, mine=1),
            urgency=TODO_OVERDUE,
        )
    ]


def area_alert_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Alerts not yet acknowledged"),
            alert_rows(user=user, status=AlertStatus.OPEN).order_by(),
            _alerts_url(status=AlertStatus.OPEN),
            urgency=TODO_OVERDUE,
        ),
        todo_line(
            _("Alerts acknowledged, not yet resolved"),
            alert_rows(user=user, status=AlertStatus.ACKNOWLEDGED).order_by(),
            _alerts_url(status=AlertStatus.ACKNOWLEDGED),
            urgency=TODO_DUE,
        ),
    ]


def escalated_alert_lines(*, user) -> list[TodoLine]:
    return [
        todo_line(
            _("Escalated alerts not yet resolved"),
            alert_rows(user=user, status="unresolved", escalated=True).order_by(),
            _alerts_url(status="unresolved", escalated=1),
            urgency=TODO_OVERDUE,
        )
    ]


def sites_on_duty(*, user):
    """The active sites the user may see where they are on duty today as its officer or
    manager."""
    today = timezone.localdate()
    duties = SiteStaff.objects.filter(
        site=OuterRef("pk"),
        user=user,
        role__in=[SiteStaffRole.OFFICER, SiteStaffRole.MANAGER],
        on_duty_from__lte=today,
    ).filter(Q(on_duty_until__isnull=True) | Q(on_duty_until__gte=today))
    return visible_sites(user=user).filter(Exists(duties)).order_by("name", "pk")


def rooms_cleaning(*, site):
    """The site's rooms being cleaned that nobody stays in (the board's cleaning tiles)."""
    stays = RoomStay.objects.filter(room=OuterRef("pk"), checked_out_at__isnull=True)
    return site.rooms.filter(status=RoomStatus.CLEANING).exclude(Exists(stays))


def site_lines(*, user) -> list[TodoLine]:
    lines = []
    for site in sites_on_duty(user=user)[:SITES_SHOWN]:
        board = reverse("observation:site_detail", args=[site.pk])
        named = {"site": site.name}
        lines += [
            todo_line(
                _("%(site)s: arrivals waiting for a room") % named,
                episodes_awaiting_room(user=user, site=site).order_by(),
                board,
                urgency=TODO_DUE,
            ),
            todo_line(_("%(site)s: rooms free") % named, free_rooms(site=site).order_by(), board),
            todo_line(
                _("%(site)s: rooms being cleaned") % named,
                rooms_cleaning(site=site).order_by(),
                board,
                urgency=TODO_NORMAL,
            ),
            todo_line(
                _("%(site)s: missed check-ins") % named,
                alert_rows(
                    user=user, status=AlertStatus.OPEN, kind=AlertKind.MISSED_CHECK_IN, site=site
                ).order_by(),
                _alerts_url(status=AlertStatus.OPEN, kind=AlertKind.MISSED_CHECK_IN, site=site.pk),
                urgency=TODO_OVERDUE,
            ),
        ]
    return lines


AREA_ROLES = frozenset(
    {Role.POLICE_OFFICER, Role.COMMUNITY_CADRE, Role.AUXILIARY_POLICE, Role.MEDICAL_STAFF}
)
TODO_SOURCES = [
    TodoSource(
        "observation.own_alerts",
        frozenset({Role.GRID_WORKER}),
        ("observation.view_alert",),
        own_alert_lines,
        order=25,
    ),
    TodoSource(
        "observation.site_duty",
        frozenset({Role.POLICE_OFFICER, Role.AUXILIARY_POLICE, Role.COMMUNITY_CADRE}),
        ("observation.view_isolationsite", "observation.view_alert"),
        site_lines,
        order=15,
    ),
    TodoSource(
        "observation.area_alerts",
        AREA_ROLES,
        ("observation.view_alert",),
        area_alert_lines,
        order=35,
    ),
    TodoSource(
        "observation.escalated_alerts",
        frozenset({Role.STATION_LEADER}),
        ("observation.view_alert",),
        escalated_alert_lines,
        order=60,
    ),
]
