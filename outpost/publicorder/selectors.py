"""Reads of the public-order module, always scoped. Each figure is counted from the same
queryset its list shows (DESIGN rule 7)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from outpost.core.choices import UnitKind
from outpost.core.models import Unit
from outpost.core.scoping import scope_base
from outpost.publicorder.choices import (
    ClosureState,
    EventStatus,
    IncidentCategory,
    InspectionStatus,
    PatrolStatus,
)
from outpost.publicorder.models import (
    ClosureCampaign,
    ClosureEntry,
    IncidentCount,
    Inspection,
    LargeEvent,
    Patrol,
    PatrolRoute,
    Venue,
    VenueKind,
)


def filter_units(*, user) -> QuerySet[Unit]:
    """Units of the user's jurisdiction below the station, for filters and forms."""
    return Unit.objects.visible_to(user).filter(is_active=True).order_by("path")


def venue_list(*, user, kind: VenueKind | None = None, unit: Unit | None = None, query: str = ""):
    qs = Venue.objects.visible_to(user).select_related("unit", "kind")
    if unit is not None:
        qs = qs.within(unit)
    if kind is not None:
        qs = qs.filter(kind=kind)
    query = query.strip()
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(licence_number__startswith=query))
    return qs.order_by("kind__order", "name", "pk")


def venue_counts_by_kind(venues: QuerySet[Venue]) -> list[dict]:
    """How many of `venues` there are of each kind, in one query: [{kind, count}]."""
    counts = dict(venues.order_by().values_list("kind").annotate(n=Count("pk")))
    return [
        {"kind": kind, "count": counts.get(kind.pk, 0)}
        for kind in VenueKind.objects.filter(Q(is_active=True) | Q(pk__in=list(counts)))
    ]


def campaign_entries(
    *, user, campaign: ClosureCampaign, kind: VenueKind | None = None, state: str = ""
) -> QuerySet[ClosureEntry]:
    """The venues of `campaign` the user may see (a community: its own), filtered."""
    qs = (
        ClosureEntry.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("venue__kind", "venue__unit", "officer__staff_profile")
    )
    if kind is not None:
        qs = qs.filter(venue__kind=kind)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("venue__kind__order", "venue__name", "pk")


@dataclass
class KindRow:
    kind: VenueKind
    total: int
    by_state: dict[str, int]


def campaign_counts(entries: QuerySet[ClosureEntry]) -> list[KindRow]:
    """Per kind of venue, the campaign's venues and how many are in each state, counted in
    one query from the same entries the list shows."""
    grouped = entries.order_by().values_list("venue__kind", "state").annotate(n=Count("pk"))
    table: dict[int, dict[str, int]] = {}
    for kind_id, state, n in grouped:
        table.setdefault(kind_id, {})[state] = n
    kinds = VenueKind.objects.filter(pk__in=list(table)).order_by("order", "pk")
    return [
        KindRow(
            kind=kind,
            total=sum(table[kind.pk].values()),
            by_state={s: table[kind.pk].get(s, 0) for s in ClosureState.values},
        )
        for kind in kinds
    ]


def campaign_list(*, user) -> QuerySet[ClosureCampaign]:
    return ClosureCampaign.objects.visible_to(user).select_related("unit")


def inspections_of(*, user, venue: Venue) -> QuerySet[Inspection]:
    return (
        Inspection.objects.visible_to(user)
        .filter(venue=venue)
        .select_related("officer__staff_profile", "item")
    )


def follow_ups_due(*, user) -> QuerySet[Inspection]:
    """The follow-up inspections assigned to the user that are not done: their to-do."""
    return (
        Inspection.objects.visible_to(user)
        .filter(officer=user, status=InspectionStatus.DUE)
        .select_related("venue__kind", "item")
        .order_by("due_on", "pk")
    )


def event_list(*, user, status: str = "") -> QuerySet[LargeEvent]:
    qs = LargeEvent.objects.visible_to(user).select_related("unit", "confirmed_by__staff_profile")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("planned_on", "pk")


def route_list(*, user) -> QuerySet[PatrolRoute]:
    return (
        PatrolRoute.objects.visible_to(user)
        .select_related("unit", "leader__staff_profile")
        .annotate(points=Count("checkpoints", filter=Q(checkpoints__is_active=True)))
        .order_by("name", "pk")
    )


def patrol_log(*, user, day: datetime.date | None = None, exceptions: bool = False):
    """The patrols of a day (the log), or every exception not acknowledged yet."""
    qs = Patrol.objects.visible_to(user).select_related(
        "route", "officer__staff_profile", "acknowledged_by__staff_profile"
    )
    if day is not None:
        qs = qs.filter(day=day)
    if exceptions:
        qs = qs.exclude(exception="").filter(acknowledged_at__isnull=True)
    return qs.order_by("-day", "route__name", "pk")


def patrol_exceptions_for_leader(*, user) -> QuerySet[Patrol]:
    """Patrols late, skipped or short of their threshold, of the routes the user leads,
    not acknowledged yet: the leader's to-do."""
    return patrol_log(user=user, exceptions=True).filter(route__leader=user)


def open_patrols_today(*, user, today: datetime.date) -> QuerySet[Patrol]:
    return (
        Patrol.objects.visible_to(user)
        .filter(day=today, status=PatrolStatus.OPEN)
        .select_related("route", "officer__staff_profile")
        .order_by("route__name", "pk")
    )


# ---------------------------------------------------------------------------- incidents


def incident_rows(*, user, unit: Unit | None, since: datetime.date, until: datetime.date):
    """The imported daily counts of the user's units (of `unit`'s subtree) in a period."""
    qs = IncidentCount.objects.visible_to(user).filter(day__gte=since, day__lte=until)
    if unit is not None:
        qs = qs.within(unit)
    return qs


def same_period_last_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass
class IncidentComparison:
    since: datetime.date
    until: datetime.date
    last_since: datetime.date
    last_until: datetime.date
    # (unit name, unit id) -> category -> (this period, last year)
    rows: list[tuple[Unit, dict[str, tuple[int, int]]]]
    totals: dict[str, tuple[int, int]]

    @property
    def total(self) -> tuple[int, int]:
        return (
            sum(now for now, _last in self.totals.values()),
            sum(last for _now, last in self.totals.values()),
        )


def _by_unit_category(rows: QuerySet[IncidentCount], units: list[Unit]) -> dict:
    """Sums of `rows` per (reporting unit among `units`, category): each row counts once,
    under the deepest of `units` its unit lies in."""
    sums = rows.order_by().values_list("unit__path", "category").annotate(n=Sum("count"))
    out: dict[tuple[int, str], int] = {}
    ordered = sorted(units, key=lambda u: -len(u.path))
    for path, category, n in sums:
        unit = next((u for u in ordered if path.startswith(u.path)), None)
        if unit is not None:
            out[(unit.pk, category)] = out.get((unit.pk, category), 0) + n
    return out


def incident_comparison(
    *, user, unit: Unit, since: datetime.date, until: datetime.date
) -> IncidentComparison:
    """This period against the same period last year, by the units directly below `unit`
    (or `unit` itself when it has none) and category, from the imported rows."""
    base = scope_base(user, unit)
    children = list(
        Unit.objects.visible_to(user).filter(parent=base, is_active=True).order_by("path")
    )
    units = children or [base]
    last_since, last_until = same_period_last_year(since), same_period_last_year(until)
    now = _by_unit_category(incident_rows(user=user, unit=base, since=since, until=until), units)
    last = _by_unit_category(
        incident_rows(user=user, unit=base, since=last_since, until=last_until), units
    )
    categories = IncidentCategory.values
    rows = [
        (u, {c: (now.get((u.pk, c), 0), last.get((u.pk, c), 0)) for c in categories}) for u in units
    ]
    totals = {
        c: (sum(r[c][0] for _u, r in rows), sum(r[c][1] for _u, r in rows)) for c in categories
    }
    return IncidentComparison(since, until, last_since, last_until, rows, totals)


# ---------------------------------------------------------------------------- briefing


def briefing_figures(*, user, day: datetime.date) -> dict[str, int]:
    """The module's figures for the dashboard and the daily report on `day`, each counted
    from the rows its list shows: venues registered, venues closed in the latest campaign
    (closed or inspected closed), large events cancelled, patrols of the day and those
    with an exception, incidents of the day."""
    venues = Venue.objects.visible_to(user).filter(is_active=True)
    campaign = ClosureCampaign.objects.visible_to(user).order_by("-started_on", "-pk").first()
    closed = 0
    if campaign is not None:
        closed = (
            ClosureEntry.objects.visible_to(user)
            .filter(campaign=campaign, state__in=[ClosureState.CLOSED, ClosureState.INSPECTED])
            .count()
        )
    patrols = Patrol.objects.visible_to(user).filter(day=day)
    incidents = IncidentCount.objects.visible_to(user).filter(day=day)
    return {
        "venues": venues.count(),
        "venues_closed": closed,
        "events_cancelled": LargeEvent.objects.visible_to(user)
        .filter(status=EventStatus.CANCELLED)
        .count(),
        "patrols": patrols.exclude(status=PatrolStatus.SKIPPED).count(),
        "patrol_exceptions": patrols.exclude(exception="").count(),
        "incidents": incidents.aggregate(n=Sum("count"))["n"] or 0,
    }


def station_units(*, user) -> QuerySet[Unit]:
    return filter_units(user=user).filter(kind__in=[UnitKind.STATION, UnitKind.POLICE_OFFICE])
