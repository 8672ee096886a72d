"""The figures of the daily briefing (每日会商研判), per unit of the jurisdiction tree.

A figure is defined by the rows it counts (a queryset of one model): the dashboard's count
and the list behind it are the same query, so they cannot disagree. Figures whose rows are a
`Subset` of the same base (the households, and those visited) are counted together in one
grouped query over the base (rows per unit, a conditional count per figure), then rolled up
the tree: the station, every office, community and grid get their figures from ~10 queries.
Counting is not user-scoped: callers pass a unit the user may see, the lists add the
user's scope, and snapshots are taken by the system.

A snapshot freezes each figure's rows with its count (`subtree_rows`): the count of a
frozen day is the number of its frozen rows, so the list of a past day is the row set the
headline counted, whatever was written since.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from outpost.core.models import Unit
from outpost.core.scoping import ancestor_paths, in_subtree, user_scope_unit
from outpost.dispatch.models import DispatchItem
from outpost.enterprises.choices import EnterpriseStatus
from outpost.enterprises.models import DailyTestReport, EmployeeTest, Enterprise
from outpost.enterprises.notices.models import NoticeReceipt
from outpost.enterprises.supplies.choices import PENDING_STATUSES, Direction
from outpost.enterprises.supplies.models import EnterpriseRequest, LedgerLine
from outpost.keypersons.choices import ACTIVE_STATUSES
from outpost.keypersons.models import KeyPerson
from outpost.keypersons.selectors import complete_team_key_person_ids, with_contact_state
from outpost.observation.choices import (
    OPEN_EPISODE_STATUSES,
    UNRESOLVED_ALERT_STATUSES,
    AlertKind,
    AlertOutcome,
    EndReason,
    EpisodeKind,
)
from outpost.observation.models import Alert, Episode, Room, RoomStay
from outpost.registry.models import Household, Resident
from outpost.screening.choices import LinkStatus
from outpost.screening.models import OriginCategory, ScreeningResult

GROUP_SCREENING = _("Carpet screening")
GROUP_ARRIVALS = _("Arrivals")
GROUP_DISPATCH = _("Dispatch orders")
GROUP_KEY_PERSONS = _("Key persons")
GROUP_OBSERVATION = _("Observation")
GROUP_ENTERPRISES = _("Enterprise requests and notices")
GROUP_SUPPLIES = _("Donated supplies")
GROUP_EMPLOYEE_TESTS = _("Employees' daily tests")


@dataclass(frozen=True)
class Moment:
    """What a figure is counted for: the unit subtree's path, the day of the day's events
    (new today, released today) and the moment of the states (open, overdue)."""

    path: str
    day: datetime.date
    now: datetime.datetime

    def within(self, via: str = "") -> Q:
        """Rows whose unit (reached through `via`, e.g. "site__") lies in the subtree."""
        return in_subtree(self.path, via=f"{via}unit")

    def serving(self, via: str = "") -> Q:
        """Rows whose unit lies in the subtree or above it: what serves the subtree."""
        return self.within(via) | Q(**{f"{via}unit__path__in": ancestor_paths(self.path)})

    def day_bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        start = timezone.make_aware(datetime.datetime.combine(self.day, datetime.time.min))
        return start, start + datetime.timedelta(days=1)


@dataclass(frozen=True)
class Subset:
    """The rows of `base` that meet `condition` (all of them without one). Figures that are
    subsets of one base are counted in one pass over it: one scan of the residents gives the
    residents and those screened."""

    base: Callable[[Moment], QuerySet]
    condition: Callable[[Moment], Q] | None = None

    def __call__(self, m: Moment) -> QuerySet:
        rows = self.base(m)
        return rows.filter(self.condition(m)) if self.condition else rows


@dataclass(frozen=True)
class Figure:
    """One figure: its key in snapshots, label, group, and the rows it counts, grouped by
    `unit_field` (the unit each row belongs to)."""

    key: str
    label: str | Promise
    group: str | Promise
    rows: Callable[[Moment], QuerySet]
    unit_field: str = "unit"
    # Rows of a unit count for every unit below it too (a station's isolation hotel serves
    # each office and community under the station). Only for rows without personal data:
    # a user below sees them in the figure's list (`serving_rows`).
    serves_below: bool = False


def _households(m: Moment) -> QuerySet:
    return Household.objects.filter(m.within())


# Visited and screened are flags kept from the visits (`registry.screened`): the pass over
# the station's residents reads one index, where a test against the visits took 86 ms.
def _visited(m: Moment) -> Q:
    return Q(visited=True)


def _residents(m: Moment) -> QuerySet:
    return Resident.objects.filter(m.within(), is_active=True, merged_into__isnull=True)


def _screened(m: Moment) -> Q:
    return Q(screened=True)


def _arrivals(m: Moment) -> QuerySet:
    """Linked screening results, one per resident: the one of their latest run."""
    linked = ScreeningResult.objects.filter(
        m.within(), status__in=(LinkStatus.AUTO, LinkStatus.DECIDED)
    )
    # "No later run linked them" rather than "run = the latest run": PostgreSQL plans the
    # anti-join as a hash join, where it guessed 7 rows for the equality and looped over
    # every unit for each of 1,334 rows (90 ms).
    later = linked.filter(resident=OuterRef("resident"), run_id__gt=OuterRef("run_id"))
    return linked.filter(~Exists(later))


def _dispatch_items(m: Moment) -> QuerySet:
    return DispatchItem.objects.filter(m.within())


def _verified_by(m: Moment) -> Q:
    # A result recorded after the moment was not there yet: a past day counts the same later.
    return ~Q(result="") & (Q(result_at__isnull=True) | Q(result_at__lte=m.now))


def _key_persons(m: Moment) -> QuerySet:
    return KeyPerson.objects.filter(m.within(), status__in=ACTIVE_STATUSES)


def _team_incomplete(m: Moment) -> Q:
    return ~Q(pk__in=complete_team_key_person_ids())


def _contacts_overdue(m: Moment) -> QuerySet:
    return with_contact_state(_key_persons(m), now=m.now).filter(is_overdue=True)


def _episodes(m: Moment) -> QuerySet:
    return Episode.objects.filter(m.within())


def _open_at_home(m: Moment) -> Q:
    return Q(status__in=OPEN_EPISODE_STATUSES) & ~Q(kind=EpisodeKind.CENTRALIZED)


def _open_centralized(m: Moment) -> Q:
    return Q(status__in=OPEN_EPISODE_STATUSES, kind=EpisodeKind.CENTRALIZED)


def _started(m: Moment) -> Q:
    # A chained episode (centralized → home monitoring) is not a new person.
    return Q(start_date=m.day, previous__isnull=True)


def _released(m: Moment) -> Q:
    # Completed and not continued into another episode (centralized → home monitoring).
    continued = Episode.objects.filter(previous__isnull=False).values("previous_id")
    return Q(ended_on=m.day, end_reason=EndReason.COMPLETED) & ~Q(pk__in=continued)


def _alerts(m: Moment) -> QuerySet:
    return Alert.objects.filter(m.within())


def _fever_open(m: Moment) -> Q:
    return Q(kind=AlertKind.FEVER, status__in=UNRESOLVED_ALERT_STATUSES)


def _transferred(m: Moment) -> Q:
    start, end = m.day_bounds()
    return Q(outcome=AlertOutcome.FEVER_CLINIC, transferred_at__gte=start, transferred_at__lt=end)


def _raised(m: Moment) -> Q:
    """Alerts of either kind raised in the day (China time), up to the moment."""
    start, end = m.day_bounds()
    return Q(raised_at__gte=start, raised_at__lt=min(end, m.now))


def _rooms(m: Moment) -> QuerySet:
    return Room.objects.filter(m.serving("site__"))


def _occupied(m: Moment) -> Q:
    # Rooms with someone in them; who is in them is "In centralized isolation".
    return Q(pk__in=RoomStay.objects.filter(checked_out_at__isnull=True).values("room_id"))


def _requests(m: Moment) -> QuerySet:
    return EnterpriseRequest.objects.filter(m.within("enterprise__"), filed_at__lte=m.now)


def _request_pending(m: Moment) -> Q:
    # The station still owes an answer (waiting for an officer, or in hand).
    return Q(status__in=PENDING_STATUSES)


def _request_overdue(m: Moment) -> Q:
    return Q(status__in=PENDING_STATUSES, due_at__lt=m.now)


def _receipts_unconfirmed(m: Moment) -> QuerySet:
    """Read receipts of notices pushed by the moment and not replaced, not confirmed by it
    (a replaced notice no longer asks to be confirmed)."""
    return NoticeReceipt.objects.filter(
        m.within("enterprise__"),
        Q(confirmed_at__isnull=True) | Q(confirmed_at__gt=m.now),
        notice__pushed_at__lte=m.now,
        notice__superseded_by__isnull=True,
    )


def _ledger_of_day(m: Moment) -> QuerySet:
    """The lines of the donations ledger of the day (China time), up to the moment."""
    start, end = m.day_bounds()
    return LedgerLine.objects.filter(m.within(), at__gte=start, at__lt=min(end, m.now))


def _reporting(m: Moment) -> QuerySet:
    """The enterprises that report their employees' tests every day: the essential ones at
    work (as the station's "not reported yet" list takes them)."""
    return Enterprise.objects.filter(m.within(), is_essential=True).exclude(
        status=EnterpriseStatus.SUSPENDED
    )


def _reported(m: Moment) -> Q:
    return Q(pk__in=DailyTestReport.objects.filter(day=m.day).values("enterprise_id"))


def _employee_fever(m: Moment) -> Q:
    """Alerts raised in the day by an employee's daily test (a fever or a positive result)."""
    flagged = EmployeeTest.objects.filter(alert__isnull=False).values("alert_id")
    return _raised(m) & Q(pk__in=flagged)


FIXED_FIGURES = (
    Figure("households_total", _("Households"), GROUP_SCREENING, Subset(_households)),
    Figure(
        "households_screened",
        _("Households screened"),
        GROUP_SCREENING,
        Subset(_households, _visited),
    ),
    Figure("persons_total", _("Residents"), GROUP_SCREENING, Subset(_residents)),
    Figure(
        "persons_screened",
        _("Residents screened"),
        GROUP_SCREENING,
        Subset(_residents, _screened),
    ),
)
LATER_FIGURES = (
    Figure(
        "arrivals_new",
        _("New arrivals today"),
        GROUP_ARRIVALS,
        Subset(_arrivals, lambda m: Q(arrival_date=m.day)),
    ),
    Figure("dispatch_items", _("Dispatched items"), GROUP_DISPATCH, Subset(_dispatch_items)),
    Figure(
        "dispatch_verified",
        _("Items verified"),
        GROUP_DISPATCH,
        Subset(_dispatch_items, _verified_by),
    ),
    Figure(
        "dispatch_overdue",
        _("Items overdue"),
        GROUP_DISPATCH,
        Subset(_dispatch_items, lambda m: ~_verified_by(m) & Q(order__deadline__lt=m.now)),
    ),
    Figure(
        "key_persons",
        _("Key persons under management"),
        GROUP_KEY_PERSONS,
        Subset(_key_persons),
    ),
    Figure(
        "key_persons_incomplete_team",
        _("Without a full team"),
        GROUP_KEY_PERSONS,
        Subset(_key_persons, _team_incomplete),
    ),
    Figure(
        "key_persons_new",
        _("New key persons today"),
        GROUP_KEY_PERSONS,
        lambda m: KeyPerson.objects.filter(m.within(), identified_on=m.day),
    ),
    Figure("contacts_overdue", _("Contacts overdue"), GROUP_KEY_PERSONS, _contacts_overdue),
    Figure(
        "observation_home",
        _("In home observation"),
        GROUP_OBSERVATION,
        Subset(_episodes, _open_at_home),
    ),
    Figure(
        "observation_centralized",
        _("In centralized isolation"),
        GROUP_OBSERVATION,
        Subset(_episodes, _open_centralized),
    ),
    Figure(
        "observation_new",
        _("Started observation today"),
        GROUP_OBSERVATION,
        Subset(_episodes, _started),
    ),
    Figure(
        "observation_released",
        _("Released today"),
        GROUP_OBSERVATION,
        Subset(_episodes, _released),
    ),
    Figure("alerts_open", _("Open fever alerts"), GROUP_OBSERVATION, Subset(_alerts, _fever_open)),
    Figure("alerts_raised", _("Alerts raised today"), GROUP_OBSERVATION, Subset(_alerts, _raised)),
    Figure(
        "transfers",
        _("Transferred to a fever clinic today"),
        GROUP_OBSERVATION,
        Subset(_alerts, _transferred),
    ),
    Figure(
        "rooms_occupied",
        _("Isolation rooms occupied"),
        GROUP_OBSERVATION,
        Subset(_rooms, _occupied),
        unit_field="site__unit",
        serves_below=True,
    ),
    Figure(
        "rooms_total",
        _("Isolation rooms"),
        GROUP_OBSERVATION,
        Subset(_rooms),
        unit_field="site__unit",
        serves_below=True,
    ),
    Figure(
        "requests_open",
        _("Open requests"),
        GROUP_ENTERPRISES,
        Subset(_requests, _request_pending),
        unit_field="enterprise__unit",
    ),
    Figure(
        "requests_overdue",
        _("Requests overdue"),
        GROUP_ENTERPRISES,
        Subset(_requests, _request_overdue),
        unit_field="enterprise__unit",
    ),
    Figure(
        "notices_unconfirmed",
        _("Notice receipts not confirmed"),
        GROUP_ENTERPRISES,
        _receipts_unconfirmed,
        unit_field="enterprise__unit",
    ),
    # Ledger lines, not quantities: a line is one item received or given out, with its
    # quantity shown in the list (masks and bottles of disinfectant do not add up).
    Figure(
        "supplies_in",
        _("Donation lines received today"),
        GROUP_SUPPLIES,
        Subset(_ledger_of_day, lambda m: Q(direction=Direction.IN)),
    ),
    Figure(
        "supplies_out",
        _("Distribution lines today"),
        GROUP_SUPPLIES,
        Subset(_ledger_of_day, lambda m: Q(direction=Direction.OUT)),
    ),
    Figure(
        "enterprises_reporting",
        _("Enterprises reporting daily"),
        GROUP_EMPLOYEE_TESTS,
        Subset(_reporting),
    ),
    Figure(
        "enterprises_reported",
        _("Enterprises reported today"),
        GROUP_EMPLOYEE_TESTS,
        Subset(_reporting, _reported),
    ),
    Figure(
        "enterprises_unreported",
        _("Enterprises not reported today"),
        GROUP_EMPLOYEE_TESTS,
        Subset(_reporting, lambda m: ~_reported(m)),
    ),
    Figure(
        "employee_fevers",
        _("Employee fever alerts today"),
        GROUP_EMPLOYEE_TESTS,
        Subset(_alerts, _employee_fever),
    ),
)


def _of_category(pk: int) -> Callable[[Moment], Q]:
    # By the category's key, not its code: a join in one figure's condition would drop the
    # rows without a category from every count of the pass.
    return lambda m: Q(category_id=pk)


def figure_list() -> list[Figure]:
    """Every figure in display order; one arrivals figure per origin category (data)."""
    arrivals = [
        Figure(
            f"arrivals_{category.code}",
            category.label,
            GROUP_ARRIVALS,
            Subset(_arrivals, _of_category(category.pk)),
        )
        for category in OriginCategory.objects.order_by("order", "pk")
    ]
    return [*FIXED_FIGURES, *arrivals, *LATER_FIGURES]


def figure_model(figure: Figure):
    """The model of the rows a figure counts."""
    return figure.rows(Moment(path="", day=datetime.date.min, now=timezone.now())).model


def figure_by_key(key: str) -> Figure | None:
    return next((figure for figure in figure_list() if figure.key == key), None)


def _subtree_parents(root: Unit) -> dict[int, int | None]:
    return dict(Unit.objects.subtree(root).values_list("pk", "parent_id"))


def _top_down(parent_of: dict[int, int | None]) -> list[int]:
    """The units of a subtree, each after its parent."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in parent_of.items():
        children.setdefault(parent if parent in parent_of else None, []).append(pk)
    order, stack = [], list(children.get(None, []))
    while stack:
        pk = stack.pop()
        order.append(pk)
        stack.extend(children.get(pk, []))
    return order


def _served_from_above(parent_of: dict[int, int | None], own: dict, outside, add) -> dict:
    """For each unit of the subtree, what its strict ancestors hold themselves (`own` per
    unit; `outside`: what units above the subtree's root hold), summed with `add`."""
    above: dict = {}
    for pk in _top_down(parent_of):
        parent = parent_of.get(pk)
        if parent in parent_of:
            above[pk] = add(above[parent], own.get(parent))
        else:
            above[pk] = outside
    return above


def _roll_up(root: Unit, counts: dict[str, dict[int, int]]) -> dict[int, dict[str, int]]:
    """Every unit of root's subtree with its figures: its own rows and all below it, and
    for a figure that serves below, the rows of the units above it too."""
    parent_of = _subtree_parents(root)
    totals: dict[int, dict[str, int]] = {pk: {} for pk in parent_of}
    serving = {figure.key for figure in figure_list() if figure.serves_below}
    for key, per_unit in counts.items():
        for unit_id, n in per_unit.items():
            node = unit_id
            while node in totals:
                totals[node][key] = totals[node].get(key, 0) + n
                node = parent_of.get(node)
        if key in serving:
            outside = sum(n for unit_id, n in per_unit.items() if unit_id not in parent_of)
            above = _served_from_above(
                parent_of, per_unit, outside, lambda total, n: total + (n or 0)
            )
            for pk, n in above.items():
                totals[pk][key] = totals[pk].get(key, 0) + n
    return totals


def subtree_rows(
    *, root: Unit, day: datetime.date, now: datetime.datetime
) -> dict[int, dict[str, list[int]]]:
    """The rows (sorted pks) of every figure of `root` and of every unit below it, as
    `subtree_figures` counts them: what a snapshot freezes. One query per figure."""
    moment = Moment(path=root.path, day=day, now=now)
    parent_of = _subtree_parents(root)
    rows: dict[int, dict[str, list[int]]] = {pk: {} for pk in parent_of}
    for figure in figure_list():
        for pk in parent_of:
            rows[pk][figure.key] = []
        pairs = figure.rows(moment).order_by().values_list(f"{figure.unit_field}_id", "pk")
        own: dict[int, list[int]] = {}
        for unit_id, pk in pairs.iterator(chunk_size=5000):
            own.setdefault(unit_id, []).append(pk)
            node = unit_id
            while node in rows:
                rows[node][figure.key].append(pk)
                node = parent_of.get(node)
        if figure.serves_below:
            outside = [pk for unit_id, pks in own.items() if unit_id not in parent_of for pk in pks]
            above = _served_from_above(parent_of, own, outside, lambda got, pks: got + (pks or []))
            for node, pks in above.items():
                rows[node][figure.key].extend(pks)
    for values in rows.values():
        for pks in values.values():
            pks.sort()
    return rows


def _counted_in_passes(figures: list[Figure], moment: Moment) -> dict[str, dict[int, int]]:
    """Rows per unit of every figure: one grouped query per base that figures share (a
    conditional count per figure), one per figure that shares none."""
    passes: dict[tuple, list[Figure]] = {}
    for figure in figures:
        base = figure.rows.base if isinstance(figure.rows, Subset) else figure.rows
        passes.setdefault((base, figure.unit_field), []).append(figure)
    counts: dict[str, dict[int, int]] = {}
    for (base, unit_field), members in passes.items():
        counters = {
            f"n{index}": Count("pk", filter=condition(moment) if condition else None)
            for index, figure in enumerate(members)
            for condition in [getattr(figure.rows, "condition", None)]
        }
        grouped = base(moment).order_by().values_list(f"{unit_field}_id").annotate(**counters)
        for figure in members:
            counts[figure.key] = {}
        for unit_id, *values in grouped:
            for figure, n in zip(members, values, strict=True):
                if n:
                    counts[figure.key][unit_id] = n
    return counts


def subtree_figures(
    *, root: Unit, day: datetime.date, now: datetime.datetime | None = None
) -> dict[int, dict[str, int]]:
    """The figures of `root` and of every unit below it: states as of `now` (default: now),
    the day's events of `day`. Figures with no rows are 0."""
    moment = Moment(path=root.path, day=day, now=now or timezone.now())
    figures = figure_list()
    counts = _counted_in_passes(figures, moment)
    return {
        unit_id: {figure.key: values.get(figure.key, 0) for figure in figures}
        for unit_id, values in _roll_up(root, counts).items()
    }


def serving_rows(*, figure: Figure, user) -> QuerySet:
    """The rows of a figure that serves below which `user` may see: those of their scope,
    and those of the units above their own (rooms of a station's hotel for an office)."""
    model = figure_model(figure)
    scoped = model.objects.visible_to(user)
    unit = user_scope_unit(user)
    opts = model._meta
    if unit is None or not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        return scoped
    above = Q(**{f"{figure.unit_field}__path__in": ancestor_paths(unit.path)})
    return model.objects.filter(Q(pk__in=scoped.values("pk")) | above)


def figure_rows(*, figure: Figure, unit: Unit, day: datetime.date, now=None) -> QuerySet:
    """The rows behind a figure of `unit` (not user-scoped: add the user's scope)."""
    return figure.rows(Moment(path=unit.path, day=day, now=now or timezone.now()))
