"""Reads of the registry; every one goes through the scoped managers."""

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from outpost.core.choices import Role, UnitKind
from outpost.core.identity import normalize_id_number
from outpost.core.models import PATH_SEPARATOR, StaffProfile, Unit
from outpost.core.roles import own_grid, user_calls, user_roles
from outpost.core.scoping import in_subtree, lineage_paths, user_scope_unit
from outpost.registry.choices import MemberPresence, RelationToHead, VisitOutcome
from outpost.registry.models import Campaign, Household, Resident, Visit, VisitMember


def may_call(user, record: Household | Resident) -> bool:
    """Whether `user` gets the call button (打电话) on a household or resident: a grid
    worker on those of their own grid, a community officer on those of their jurisdiction
    (records they may change)."""
    if not user_calls(user) or not record.phone:
        return False
    grid = own_grid(user)
    if grid is not None and record.unit_id == grid.pk:
        return True
    return (
        Role.POLICE_OFFICER in user_roles(user)
        and type(record).objects.visible_to(user, "change").filter(pk=record.pk).exists()
    )


def household_list(*, user, query: str = "") -> QuerySet[Household]:
    # A correlated subquery, not JOIN + GROUP BY: only the shown page's rows are counted,
    # and the paginator's COUNT(*) drops it.
    members = (
        Resident.objects.filter(household=OuterRef("pk"), is_active=True)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    households = (
        Household.objects.visible_to(user)
        .select_related("unit")
        .annotate(member_count=Coalesce(Subquery(members), 0))
        .order_by("street", "building", "entrance", "room", "pk")
    )
    query = query.strip()
    if query:
        named_member = Resident.objects.filter(household=OuterRef("pk"), name__icontains=query)
        households = households.filter(
            Q(household_number__icontains=query) | Q(street__icontains=query) | Exists(named_member)
        )
    return households


def household_detail_queryset(*, user) -> QuerySet[Household]:
    members = Resident.objects.visible_to(user).order_by("pk")
    return (
        Household.objects.visible_to(user)
        .select_related("unit")
        .prefetch_related(Prefetch("members", queryset=members))
    )


# A search of exactly four characters, digits with an ID's check character last, is a
# search by the last four (尾号) of an ID number or phone.
LAST_FOUR = re.compile(r"^\d{3}[\dXx]$")


def household_visits(*, user, household: Household) -> QuerySet[Visit]:
    """The household's door-to-door visits the user may see, newest first, each with the
    number of members recorded at it."""
    return (
        Visit.objects.visible_to(user)
        .filter(household=household)
        .select_related("campaign", "visited_by__staff_profile")
        .annotate(members_recorded=Count("members"))
        .order_by("-visited_at", "-pk")
    )


def resident_search(residents: QuerySet[Resident], query: str) -> QuerySet[Resident]:
    """Search by name, by the last four of an ID number or phone, or by a full ID number or
    phone (never by other fragments of them: the masked forms show the last four already).

    Records merged into another one are left out, except when searched for by their full ID
    number or phone: their page then points to the record that was kept."""
    kept = Q(merged_into__isnull=True)
    query = query.strip()
    if not query:
        return residents.filter(kept)
    if LAST_FOUR.match(query):
        # The few rows of each indexed column first (a seek each), then the scope and the
        # other conditions on those rows only, whatever the planner thinks of the others.
        last4 = query.upper()
        matching = (
            Resident.objects.filter(id_last4=last4)
            .order_by()
            .values("pk")
            .union(Resident.objects.filter(phone_last4=last4).order_by().values("pk"))
        )
        return residents.filter(Q(pk__in=matching) & kept)
    normalized = normalize_id_number(query)
    return residents.filter(
        (Q(name__icontains=query) & kept) | Q(id_number=normalized) | Q(phone=query)
    )


def resident_list(*, user, query: str = "") -> QuerySet[Resident]:
    """The residents list: the user's residents found by `resident_search`."""
    residents = Resident.objects.visible_to(user).select_related("unit", "household")
    return resident_search(residents, query)


@dataclass(frozen=True)
class AgeBand:
    code: str
    label: object
    youngest: int
    oldest: int | None  # None: no upper bound


AGE_BANDS = (
    AgeBand("0-17", gettext_lazy("Under 18"), 0, 17),
    AgeBand("18-59", gettext_lazy("18 to 59"), 18, 59),
    AgeBand("60-79", gettext_lazy("60 to 79"), 60, 79),
    AgeBand("80+", gettext_lazy("80 and over"), 80, None),
)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def age_band_q(code: str, today: datetime.date | None = None) -> Q:
    """Residents whose age today (China time) lies in the band; unknown birth dates never."""
    band = next(b for b in AGE_BANDS if b.code == code)
    today = today or timezone.localdate()
    # Aged at least `youngest`: born on or before today minus that many years.
    query = Q(birth_date__lte=_years_before(today, band.youngest))
    if band.oldest is not None:
        # Aged at most `oldest`: born after today minus (oldest + 1) years.
        query &= Q(birth_date__gt=_years_before(today, band.oldest + 1))
    return query


@dataclass(frozen=True)
class ResidentFilters:
    """The residents list's filters; None (or "") leaves a filter off. They combine (AND)."""

    query: str = ""
    grid: Unit | None = None
    residence_type: str = ""
    age_band: str = ""
    key_person: bool | None = None
    campaign: Campaign | None = None
    visited: bool | None = None


def resident_rows(*, user, filters: ResidentFilters) -> QuerySet[Resident]:
    """The residents list under its filters: the one row set its headline counts, whatever
    pagination shows of it."""
    residents = resident_search(
        Resident.objects.visible_to(user, listed=True).select_related("unit", "household"),
        filters.query,
    )
    if filters.grid is not None:
        residents = residents.filter(unit=filters.grid)
    if filters.residence_type:
        residents = residents.filter(residence_type=filters.residence_type)
    if filters.age_band:
        residents = residents.filter(age_band_q(filters.age_band))
    if filters.key_person is not None:
        is_key = Exists(_active_key_persons(user).filter(resident=OuterRef("pk")))
        residents = residents.filter(is_key if filters.key_person else ~is_key)
    if filters.campaign is not None and filters.visited is not None:
        seen = Exists(
            VisitMember.objects.visible_to(user).filter(
                resident=OuterRef("pk"), visit__campaign=filters.campaign
            )
        )
        residents = residents.filter(seen if filters.visited else ~seen)
    return residents


def _active_key_persons(user) -> QuerySet:
    """The user's key-person records not closed. Key persons live in an app above the
    registry: reached through the reverse relation, never imported; a closed one always
    has its closing day."""
    model = Resident._meta.get_field("key_persons").related_model
    return model.objects.visible_to(user).filter(closed_on__isnull=True)


def may_filter_key_persons(user) -> bool:
    model = Resident._meta.get_field("key_persons").related_model
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


# ---------------------------------------------------------------------------- campaigns and visits


def campaign_list(*, user) -> QuerySet[Campaign]:
    return (
        Campaign.objects.visible_to(user)
        .select_related("unit")
        .prefetch_related(Prefetch("scope_units", queryset=Unit.objects.order_by("path")))
        .order_by("-start_date", "-pk")
    )


def campaign_state(campaign: Campaign, today: datetime.date | None = None) -> str:
    """ "open", "upcoming", "ended" or "closed" on the given day."""
    today = today or timezone.localdate()
    if campaign.is_closed:
        return "closed"
    if campaign.start_date > today:
        return "upcoming"
    if campaign.end_date < today:
        return "ended"
    return "open"


def campaigns_open(*, user, today: datetime.date | None = None) -> QuerySet[Campaign]:
    """Campaigns the user may see that run today and are not closed."""
    today = today or timezone.localdate()
    return (
        Campaign.objects.visible_to(user)
        .filter(is_closed=False, start_date__lte=today, end_date__gte=today)
        .order_by("-start_date", "-pk")
    )


def campaigns_open_for_household(
    *, user, household: Household, today: datetime.date | None = None
) -> QuerySet[Campaign]:
    """Open campaigns whose scope holds the household's grid (the grid or one above it)."""
    return campaigns_open(user=user, today=today).filter(
        scope_units__path__in=lineage_paths(household.unit.path)
    )


def campaign_grid_workers(campaign: Campaign) -> QuerySet:
    """The active grid workers of the grids the campaign covers (they visit its households)."""
    grids = Unit.objects.filter(_scope_q(campaign_scope_paths(campaign), "path"))
    return (
        get_user_model()
        .objects.filter(
            is_active=True, groups__name=Role.GRID_WORKER, staff_profile__unit__in=grids
        )
        .select_related("staff_profile")
        .distinct()
    )


def campaign_scope_units(campaign: Campaign) -> list[Unit]:
    """The campaign's scope units by path (read once per campaign object)."""
    units = getattr(campaign, "_scope_units", None)
    if units is None:
        units = campaign._scope_units = list(campaign.scope_units.order_by("path"))
    return units


def campaign_scope_paths(campaign: Campaign) -> list[str]:
    return [unit.path for unit in campaign_scope_units(campaign)]


def campaign_covers(scope_paths: list[str], unit_path: str) -> bool:
    return any(unit_path.startswith(path) for path in scope_paths)


def _scope_q(scope_paths: list[str], field: str = "unit__path") -> Q:
    query = Q(pk__in=[])
    for path in scope_paths:
        query |= Q(**{f"{field}__startswith": path})
    return query


DONE_OUTCOMES = (VisitOutcome.COMPLETED, VisitOutcome.REFUSED, VisitOutcome.VACANT)


def _with_campaign_visit(households: QuerySet[Household], campaign: Campaign):
    """Each household with its visit of the campaign (a LEFT JOIN, no query per row)."""
    return households.annotate(
        campaign_visit=FilteredRelation("visits", condition=Q(visits__campaign=campaign))
    ).annotate(
        visit_id=F("campaign_visit__id"),
        visit_outcome=F("campaign_visit__outcome"),
        visit_at=F("campaign_visit__visited_at"),
        visit_rank=Case(
            When(campaign_visit__id__isnull=True, then=Value(0)),
            When(campaign_visit__outcome=VisitOutcome.NOBODY_HOME, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    )


ADDRESS_ORDER = ("street", "building", "entrance", "room", "pk")


def campaign_worklist(*, user, campaign: Campaign, grid: Unit | None = None) -> QuerySet[Household]:
    """The households of the campaign in the user's scope (or one grid of it), to visit first:
    never visited, then nobody home at the last try, then done; each group by address."""
    # Naming the units (a small subquery on the unit table) lets the database seek the
    # households by grid instead of testing every household's unit path.
    units = Unit.objects.visible_to(user).filter(_scope_q(campaign_scope_paths(campaign), "path"))
    if grid is not None:
        units = units.filter(pk=grid.pk)
    households = Household.objects.visible_to(user).filter(unit__in=units)
    return (
        _with_campaign_visit(households, campaign)
        .select_related("unit")
        .order_by("visit_rank", *ADDRESS_ORDER)
    )


def worklist_at(
    worklist: QuerySet[Household], *, building: str = "", entrance: str = ""
) -> QuerySet[Household]:
    """The worklist's households of one building (楼号) and, when given, one entrance (单元)."""
    if building:
        worklist = worklist.filter(building=building)
    if entrance:
        worklist = worklist.filter(entrance=entrance)
    return worklist


BUILDING_CHOICES_MAX = 300


def worklist_buildings(worklist: QuerySet[Household]) -> list[str]:
    """The buildings of the worklist, to pick from (none past a few hundred: then typed)."""
    buildings = list(
        worklist.order_by("building")
        .values_list("building", flat=True)
        .distinct()[: BUILDING_CHOICES_MAX + 1]
    )
    if len(buildings) > BUILDING_CHOICES_MAX:
        return []
    return sorted(buildings, key=lambda b: (len(b), b))


def worklist_counts(worklist: QuerySet[Household]) -> dict[str, int]:
    counts = worklist.order_by().aggregate(
        total=Count("pk"),
        visited=Count("pk", filter=Q(campaign_visit__outcome__in=DONE_OUTCOMES)),
        nobody_home=Count("pk", filter=Q(campaign_visit__outcome=VisitOutcome.NOBODY_HOME)),
    )
    counts["to_visit"] = counts["total"] - counts["visited"]
    counts["percent"] = _percent(counts["visited"], counts["total"])
    return counts


def next_unvisited_household(
    *, user, campaign: Campaign, grid: Unit, after: Household | None = None
) -> Household | None:
    """The first household of the grid still to visit: never tried first, then nobody home
    (other than `after`, the one just recorded)."""
    worklist = campaign_worklist(user=user, campaign=campaign, grid=grid).filter(visit_rank__lt=2)
    if after is not None:
        worklist = worklist.exclude(pk=after.pk)
    return worklist.first()


NARROW_SUBTREE_UNITS = 60


@dataclass
class ProgressRow:
    unit_id: int
    name: str
    kind: str
    path: str
    households: int = 0
    visited: int = 0
    nobody_home: int = 0
    persons_screened: int = 0
    grid_workers: list[str] = field(default_factory=list)

    @property
    def to_visit(self) -> int:
        return self.households - self.visited

    @property
    def percent(self) -> int:
        return _percent(self.visited, self.households)


@dataclass
class CampaignProgress:
    base: ProgressRow
    rows: list[ProgressRow]
    grid_workers: list[str]
    unvisited: list[Household] | None = None  # when the base is a grid


def _percent(part: int, whole: int) -> int:
    return int(100 * part / whole) if whole else 0


def campaign_progress(*, user, campaign: Campaign, base: Unit) -> CampaignProgress:
    """Households visited / total and persons screened for `base` and each unit below it.

    Three aggregate queries over the whole subtree (households, visits and visit members,
    each grouped by grid), rolled up the materialized path in Python: the cost does not
    grow with the number of units shown.
    """
    scope_paths = campaign_scope_paths(campaign)
    units = {
        unit["path"]: ProgressRow(
            unit_id=unit["pk"], name=unit["name"], kind=unit["kind"], path=unit["path"]
        )
        for unit in Unit.objects.visible_to(user)
        .subtree(base)
        .values("pk", "name", "kind", "path")
        .order_by("path")
    }
    by_id = {row.unit_id: row for row in units.values()}

    def add(unit_id: int, **counts: int) -> None:
        row = by_id.get(unit_id)
        if row is None:
            return
        for path in lineage_paths(row.path):
            target = units.get(path)
            if target is not None:
                for name, value in counts.items():
                    setattr(target, name, getattr(target, name) + value)

    # A planner hint: a small subtree is read grid by grid through the unit indexes; a
    # large one (a station) is cheaper to scan once, testing the unit path, and when it is
    # the user's own unit `visible_to` has already said so.
    own = user_scope_unit(user)
    narrow = len(units) <= NARROW_SUBTREE_UNITS
    whole = own is not None and own.pk == base.pk

    def in_base(via: str = "unit") -> Q:
        if narrow:
            return Q(**{f"{via}_id__in": list(by_id)})
        if whole:
            return Q()
        return in_subtree(base, via=via)

    households = (
        Household.objects.visible_to(user)
        .filter(in_base())
        .order_by()
        .values_list("unit_id", "unit__path")
        .annotate(n=Count("pk"))
    )
    for unit_id, path, n in households:
        if campaign_covers(scope_paths, path):
            add(unit_id, households=n)

    visits = (
        Visit.objects.visible_to(user)
        .filter(in_base(), campaign=campaign)
        .order_by()
        .values_list("unit_id")
        .annotate(
            visited=Count("pk", filter=Q(outcome__in=DONE_OUTCOMES)),
            nobody_home=Count("pk", filter=Q(outcome=VisitOutcome.NOBODY_HOME)),
        )
    )
    for unit_id, visited, nobody_home in visits:
        add(unit_id, visited=visited, nobody_home=nobody_home)

    members = (
        VisitMember.objects.visible_to(user)
        .filter(in_base("visit__unit"), visit__campaign=campaign)
        .exclude(presence=MemberPresence.DEPARTED)
        .order_by()
        .values_list("visit__unit_id")
        .annotate(n=Count("pk"))
    )
    for unit_id, n in members:
        add(unit_id, persons_screened=n)

    base_row = units.get(base.path) or ProgressRow(
        unit_id=base.pk, name=base.name, kind=base.kind, path=base.path
    )
    rows = [
        row
        for row in units.values()
        if row.path.count(PATH_SEPARATOR) == base.path.count(PATH_SEPARATOR) + 1
        and (row.households or row.visited)
    ]
    workers = grid_worker_names(grids=[row.unit_id for row in rows] + [base.pk])
    for row in rows:
        row.grid_workers = workers.get(row.unit_id, [])
    progress = CampaignProgress(base=base_row, rows=rows, grid_workers=workers.get(base.pk, []))
    if base.kind == UnitKind.GRID:
        progress.unvisited = list(
            campaign_worklist(user=user, campaign=campaign, grid=base).filter(visit_rank__lt=2)
        )
    return progress


def grid_worker_names(*, grids: list[int]) -> dict[int, list[str]]:
    """The grid workers' names of each grid (staff names, not residents' data)."""
    names: dict[int, list[str]] = {}
    profiles = (
        StaffProfile.objects.filter(
            unit_id__in=grids, unit__kind=UnitKind.GRID, user__groups__name=Role.GRID_WORKER
        )
        .order_by("display_name")
        .values_list("unit_id", "display_name")
    )
    for unit_id, name in profiles:
        names.setdefault(unit_id, []).append(name)
    return names


def visit_form_residents(*, user, household: Household, visit: Visit | None) -> list[Resident]:
    """The members to ask about: the household's active residents, and anyone this visit
    already recorded (a member marked as moved out is inactive but still on the visit)."""
    members = Q(is_active=True, merged_into__isnull=True)
    if visit is not None:
        members |= Q(visit_records__visit=visit)
    return list(
        Resident.objects.visible_to(user)
        .filter(household=household)
        .filter(members)
        .distinct()
        .order_by("pk")
    )


def visit_for(*, user, campaign: Campaign, household: Household) -> Visit | None:
    return (
        Visit.objects.visible_to(user)
        .filter(campaign=campaign, household=household)
        .prefetch_related("members")
        .first()
    )


def unit_trail(*, user, unit: Unit) -> list[Unit]:
    """The unit and the units above it, as far up as the user's own unit."""
    return list(
        Unit.objects.visible_to(user).filter(path__in=lineage_paths(unit.path)).order_by("depth")
    )


# ---------------------------------------------------------------------------- ledgers (台账)

_RELATION_RANK = Case(
    *[When(relation_to_head=value, then=Value(rank)) for rank, value in enumerate(RelationToHead)],
    default=Value(len(RelationToHead)),
    output_field=IntegerField(),
)

RESIDENT_LEDGER_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "document_type",
    "id_number",
    "document_number",
    "phone",
    "household__household_number",
    "household__street",
    "household__building",
    "household__entrance",
    "household__room",
    "relation_to_head",
    "residence_type",
    "workplace",
    "unit__name",
)


def resident_ledger(*, user, unit: Unit) -> QuerySet:
    """The active residents of `unit` and the units under it, as rows of a ledger: by grid,
    household (by address) and relation to the head. Value rows, to be streamed."""
    return (
        Resident.objects.visible_to(user)
        .within(unit)
        .filter(is_active=True, merged_into__isnull=True)
        .annotate(relation_rank=_RELATION_RANK)
        .order_by(
            "unit__path",
            "household__street",
            "household__building",
            "household__entrance",
            "household__room",
            "household_id",
            "relation_rank",
            "birth_date",
            "pk",
        )
        .values(*RESIDENT_LEDGER_FIELDS)
    )


HOUSEHOLD_LEDGER_FIELDS = (
    "household_number",
    "street",
    "building",
    "entrance",
    "room",
    "head_name",
    "member_count",
    "phone",
    "is_rental",
    "unit__name",
)


def household_ledger(*, user, unit: Unit) -> QuerySet:
    """The households of `unit` and the units under it, with head and member count, by grid
    and address. Value rows, to be streamed."""
    members = Resident.objects.visible_to(user).filter(
        household=OuterRef("pk"), is_active=True, merged_into__isnull=True
    )
    count = members.order_by().values("household").annotate(n=Count("pk")).values("n")
    head = members.filter(relation_to_head=RelationToHead.HEAD).order_by("pk").values("name")[:1]
    return (
        Household.objects.visible_to(user)
        .within(unit)
        .annotate(member_count=Coalesce(Subquery(count), 0), head_name=Subquery(head))
        .order_by("unit__path", "street", "building", "entrance", "room", "pk")
        .values(*HOUSEHOLD_LEDGER_FIELDS)
    )


@dataclass
class GridProgress:
    """One grid's line of a campaign's progress ledger."""

    community: str
    row: ProgressRow


def campaign_progress_by_grid(*, user, campaign: Campaign, base: Unit) -> list[GridProgress]:
    """Households total / visited and persons screened for every grid of `base` that the
    campaign covers, by path. The same counts as `campaign_progress` (same definitions of
    visited and screened), not rolled up: three grouped queries, whatever the number of grids.
    """
    scope_paths = campaign_scope_paths(campaign)
    units = list(
        Unit.objects.visible_to(user)
        .filter(in_subtree(base, via="") | Q(path__in=lineage_paths(base.path)))
        .values("pk", "name", "kind", "path")
    )
    communities = {u["path"]: u["name"] for u in units if u["kind"] == UnitKind.COMMUNITY}
    grids = {
        u["pk"]: ProgressRow(unit_id=u["pk"], name=u["name"], kind=u["kind"], path=u["path"])
        for u in units
        if u["kind"] == UnitKind.GRID
        and u["path"].startswith(base.path)
        and campaign_covers(scope_paths, u["path"])
    }
    households = (
        Household.objects.visible_to(user)
        .filter(unit_id__in=list(grids))
        .order_by()
        .values_list("unit_id")
        .annotate(n=Count("pk"))
    )
    for unit_id, n in households:
        grids[unit_id].households = n
    visits = (
        Visit.objects.visible_to(user)
        .filter(campaign=campaign, unit_id__in=list(grids))
        .order_by()
        .values_list("unit_id")
        .annotate(
            visited=Count("pk", filter=Q(outcome__in=DONE_OUTCOMES)),
            nobody_home=Count("pk", filter=Q(outcome=VisitOutcome.NOBODY_HOME)),
        )
    )
    for unit_id, visited, nobody_home in visits:
        grids[unit_id].visited = visited
        grids[unit_id].nobody_home = nobody_home
    members = (
        VisitMember.objects.visible_to(user)
        .filter(visit__campaign=campaign, visit__unit_id__in=list(grids))
        .exclude(presence=MemberPresence.DEPARTED)
        .order_by()
        .values_list("visit__unit_id")
        .annotate(n=Count("pk"))
    )
    for unit_id, n in members:
        grids[unit_id].persons_screened = n

    def community_of(path: str) -> str:
        return next((communities[p] for p in lineage_paths(path) if p in communities), "")

    return [
        GridProgress(community=community_of(row.path), row=row)
        for row in sorted(grids.values(), key=lambda row: row.path)
        if row.households or row.visited
    ]
