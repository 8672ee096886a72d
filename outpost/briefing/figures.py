"""The figures of the daily briefing (每日会商研判), per unit of the jurisdiction tree.

Each figure is counted once for a whole subtree by one grouped query (rows per unit), then
rolled up the tree: the station, every office, community and grid get their figures from
the same ~20 queries, whether the dashboard shows one unit with its children or the day
close freezes every unit. Counting is not user-scoped: callers pass a unit the user may
see (`outpost.core.scoping`), and snapshots are taken by the system.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from outpost.core.models import Unit
from outpost.dispatch.models import DispatchItem
from outpost.keypersons.choices import ACTIVE_STATUSES, MemberStatus
from outpost.keypersons.models import KeyPerson, TeamMember, TeamRole
from outpost.keypersons.selectors import with_contact_state
from outpost.observation.choices import (
    OPEN_EPISODE_STATUSES,
    UNRESOLVED_ALERT_STATUSES,
    AlertKind,
    AlertOutcome,
    EndReason,
    EpisodeKind,
)
from outpost.observation.models import Alert, Episode, Room, RoomStay
from outpost.registry.models import Household, Resident, Visit, VisitMember
from outpost.screening.choices import LinkStatus
from outpost.screening.models import OriginCategory, ScreeningResult

Counts = dict[int, int]  # unit id -> rows of that unit (not yet rolled up)


@dataclass(frozen=True)
class Figure:
    """One figure of the briefing: its key in snapshots, its label, its group."""

    key: str
    label: str | Promise
    group: str | Promise


def _within(path: str, via: str = "") -> Q:
    """Rows whose unit (reached through `via`, e.g. "site__") lies in the subtree at `path`."""
    return Q(**{f"{via}unit__path__startswith": path})


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def _by_unit(queryset: QuerySet, unit_field: str = "unit", distinct: str = "") -> Counts:
    count = Count(distinct, distinct=True) if distinct else Count("pk")
    return dict(queryset.order_by().values_list(f"{unit_field}_id").annotate(n=count))


GROUP_SCREENING = _("Carpet screening")
GROUP_ARRIVALS = _("Arrivals")
GROUP_DISPATCH = _("Dispatch orders")
GROUP_KEY_PERSONS = _("Key persons")
GROUP_OBSERVATION = _("Observation")

FIXED_FIGURES = (
    Figure("households_total", _("Households"), GROUP_SCREENING),
    Figure("households_screened", _("Households screened"), GROUP_SCREENING),
    Figure("persons_total", _("Residents"), GROUP_SCREENING),
    Figure("persons_screened", _("Residents screened"), GROUP_SCREENING),
    Figure("arrivals_new", _("New arrivals today"), GROUP_ARRIVALS),
    Figure("dispatch_items", _("Dispatched items"), GROUP_DISPATCH),
    Figure("dispatch_verified", _("Items verified"), GROUP_DISPATCH),
    Figure("dispatch_overdue", _("Items overdue"), GROUP_DISPATCH),
    Figure("key_persons", _("Key persons under management"), GROUP_KEY_PERSONS),
    Figure("key_persons_incomplete_team", _("Without a full team"), GROUP_KEY_PERSONS),
    Figure("contacts_overdue", _("Contacts overdue"), GROUP_KEY_PERSONS),
    Figure("observation_home", _("In home observation"), GROUP_OBSERVATION),
    Figure("observation_centralized", _("In centralized isolation"), GROUP_OBSERVATION),
    Figure("observation_new", _("Started observation today"), GROUP_OBSERVATION),
    Figure("observation_released", _("Released today"), GROUP_OBSERVATION),
    Figure("alerts_open", _("Open fever alerts"), GROUP_OBSERVATION),
    Figure("transfers", _("Transferred to a fever clinic today"), GROUP_OBSERVATION),
    Figure("rooms_occupied", _("Isolation rooms occupied"), GROUP_OBSERVATION),
    Figure("rooms_total", _("Isolation rooms"), GROUP_OBSERVATION),
)


def figure_list() -> list[Figure]:
    """Every figure in display order; one arrivals figure per origin category (data)."""
    arrivals = [
        Figure(f"arrivals_{code}", name, GROUP_ARRIVALS)
        for code, name in OriginCategory.objects.order_by("order", "pk").values_list("code", "name")
    ]
    return [*FIXED_FIGURES[:4], *arrivals, *FIXED_FIGURES[4:]]


def _screening_counts(path: str, day: datetime.date) -> dict[str, Counts]:
    counts = {
        "households_total": _by_unit(Household.objects.filter(_within(path))),
        "households_screened": _by_unit(Visit.objects.filter(_within(path)), distinct="household"),
        "persons_total": _by_unit(
            Resident.objects.filter(_within(path), is_active=True, merged_into__isnull=True)
        ),
        "persons_screened": _by_unit(
            VisitMember.objects.filter(_within(path, "resident__")),
            unit_field="resident__unit",
            distinct="resident",
        ),
    }
    # A resident counts once, in the category of their latest linked result.
    linked = ScreeningResult.objects.filter(
        _within(path), status__in=(LinkStatus.AUTO, LinkStatus.DECIDED)
    )
    latest = linked.filter(
        run_id=linked.filter(resident=OuterRef("resident"))
        .order_by()
        .values("resident")
        .annotate(last=Max("run_id"))
        .values("last")[:1]
    )
    per_category: dict[str, Counts] = defaultdict(dict)
    for unit_id, code, n in (
        latest.order_by()
        .values_list("unit_id", "category__code")
        .annotate(n=Count("resident", distinct=True))
    ):
        if code:
            per_category[f"arrivals_{code}"][unit_id] = n
    counts.update(per_category)
    counts["arrivals_new"] = _by_unit(latest.filter(arrival_date=day), distinct="resident")
    return counts


def _dispatch_counts(path: str, now: datetime.datetime) -> dict[str, Counts]:
    items = DispatchItem.objects.filter(_within(path))
    return {
        "dispatch_items": _by_unit(items),
        "dispatch_verified": _by_unit(items.exclude(result="")),
        "dispatch_overdue": _by_unit(items.filter(result="", order__deadline__lt=now)),
    }


def _key_person_counts(path: str, now: datetime.datetime) -> dict[str, Counts]:
    active = KeyPerson.objects.filter(_within(path), status__in=ACTIVE_STATUSES)
    places = TeamRole.objects.filter(is_active=True).count()
    complete = (
        TeamMember.objects.filter(
            ended_at__isnull=True, status=MemberStatus.CONFIRMED, role__is_active=True
        )
        .values("key_person_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=places)
        .values("key_person_id")
    )
    return {
        "key_persons": _by_unit(active),
        "key_persons_incomplete_team": _by_unit(active.exclude(pk__in=complete)),
        "contacts_overdue": _by_unit(with_contact_state(active, now=now).filter(is_overdue=True)),
    }


def _observation_counts(path: str, day: datetime.date) -> dict[str, Counts]:
    start, end = _day_bounds(day)
    episodes = Episode.objects.filter(_within(path))
    open_episodes = episodes.filter(status__in=OPEN_EPISODE_STATUSES)
    occupied = RoomStay.objects.filter(_within(path, "room__site__"), checked_out_at__isnull=True)
    return {
        "observation_home": _by_unit(
            open_episodes.exclude(kind=EpisodeKind.CENTRALIZED), distinct="key_person"
        ),
        "observation_centralized": _by_unit(
            open_episodes.filter(kind=EpisodeKind.CENTRALIZED), distinct="key_person"
        ),
        # A chained episode (centralized → home monitoring) is not a new person.
        "observation_new": _by_unit(episodes.filter(start_date=day, previous__isnull=True)),
        "observation_released": _by_unit(
            episodes.filter(ended_on=day, end_reason=EndReason.COMPLETED).exclude(
                Exists(Episode.objects.filter(previous=OuterRef("pk")))
            )
        ),
        "alerts_open": _by_unit(
            Alert.objects.filter(
                _within(path), kind=AlertKind.FEVER, status__in=UNRESOLVED_ALERT_STATUSES
            )
        ),
        "transfers": _by_unit(
            Alert.objects.filter(
                _within(path),
                outcome=AlertOutcome.FEVER_CLINIC,
                transferred_at__gte=start,
                transferred_at__lt=end,
            )
        ),
        "rooms_total": _by_unit(
            Room.objects.filter(_within(path, "site__")), unit_field="site__unit"
        ),
        "rooms_occupied": _by_unit(occupied, unit_field="room__site__unit"),
    }


def _roll_up(root: Unit, counts: dict[str, Counts]) -> dict[int, dict[str, int]]:
    """Every unit of root's subtree with its figures: its own rows and all below it."""
    units = list(Unit.objects.filter(path__startswith=root.path).values_list("pk", "parent_id"))
    parent_of = dict(units)
    totals: dict[int, dict[str, int]] = {pk: {} for pk, _parent in units}
    for key, per_unit in counts.items():
        for unit_id, n in per_unit.items():
            node = unit_id
            while node in totals:
                totals[node][key] = totals[node].get(key, 0) + n
                node = parent_of.get(node)
    return totals


def subtree_figures(
    *, root: Unit, day: datetime.date, now: datetime.datetime | None = None
) -> dict[int, dict[str, int]]:
    """The figures of `root` and of every unit below it, as of `now` (default: now) for
    the states and of `day` for the day's events. Figures with no rows are 0."""
    now = now or timezone.now()
    counts: dict[str, Counts] = {}
    counts.update(_screening_counts(root.path, day))
    counts.update(_dispatch_counts(root.path, now))
    counts.update(_key_person_counts(root.path, now))
    counts.update(_observation_counts(root.path, day))
    keys = [figure.key for figure in figure_list()]
    return {
        unit_id: {key: figures.get(key, 0) for key in keys}
        for unit_id, figures in _roll_up(root, counts).items()
    }
