"""Reads of the key-persons module; every one goes through the scoped managers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from outpost.core.choices import UnitKind
from outpost.core.i18n import data_name_expression
from outpost.core.models import Unit
from outpost.core.scoping import in_subtree, lineage_paths, user_scope_unit, user_sees_everything
from outpost.keypersons.choices import (
    ACTIVE_STATUSES,
    ALLOWED_TRANSITIONS,
    CLOSED_STATUSES,
    KeyPersonStatus,
    MemberStatus,
)
from outpost.keypersons.models import (
    ContactEntry,
    ContactRule,
    KeyPerson,
    KeyPersonSource,
    TeamMember,
    TeamRole,
)
from outpost.registry.models import Resident
from outpost.registry.selectors import resident_list
from outpost.screening.choices import LinkStatus
from outpost.screening.models import ScreeningResult, ScreeningRun

# Status filters beyond the single statuses.
STATUS_ACTIVE = "active"
STATUS_CLOSED = "closed"

# Hours between contacts when no contact rule is configured.
DEFAULT_CONTACT_HOURS = 24


def key_person_list(
    *,
    user,
    status: str = "",
    category: str = "",
    unit: Unit | None = None,
    run: ScreeningRun | None = None,
    query: str = "",
) -> QuerySet[KeyPerson]:
    """Key persons the user may see, newest first. `status` is one status, "active" or
    "closed"; `unit` keeps those of that unit and below; `run` those the run named (as
    their origin or as a later source)."""
    key_persons = KeyPerson.objects.visible_to(user).select_related(
        "resident", "unit", "origin_category"
    )
    if status == STATUS_ACTIVE:
        key_persons = key_persons.filter(status__in=ACTIVE_STATUSES)
    elif status == STATUS_CLOSED:
        key_persons = key_persons.filter(status__in=CLOSED_STATUSES)
    elif status:
        key_persons = key_persons.filter(status=status)
    if category:
        key_persons = key_persons.filter(category=category)
    if unit is not None:
        key_persons = key_persons.within(unit)
    if run is not None:
        named = KeyPersonSource.objects.filter(key_person=OuterRef("pk"), screening_run=run)
        key_persons = key_persons.filter(Exists(named))
    query = query.strip()
    if query:
        key_persons = key_persons.filter(
            Q(resident__name__icontains=query) | Q(name__icontains=query)
        )
    return key_persons.order_by("-identified_on", "-pk")


def key_person_detail_queryset(*, user) -> QuerySet[KeyPerson]:
    return KeyPerson.objects.visible_to(user).select_related(
        "resident__household", "unit", "origin_category", "screening_run", "created_by"
    )


def key_person_sources(*, user, key_person: KeyPerson) -> QuerySet[KeyPersonSource]:
    return (
        KeyPersonSource.objects.visible_to(user)
        .filter(key_person=key_person)
        .select_related("screening_run", "origin_category", "noted_by__staff_profile")
        .order_by("noted_at", "pk")
    )


def filter_units(*, user) -> QuerySet[Unit]:
    """Communities and grids of the user's jurisdiction, for the list's unit filter."""
    return (
        Unit.objects.visible_to(user)
        .filter(kind__in=[UnitKind.COMMUNITY, UnitKind.GRID], is_active=True)
        .order_by("path")
    )


def resident_candidates(*, user, query: str = "") -> QuerySet[Resident]:
    """Registered, unmerged residents to make a key person of, each marked when already an
    active key person."""
    active = KeyPerson.objects.filter(resident=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    return (
        resident_list(user=user, query=query)
        .filter(merged_into__isnull=True)
        .annotate(is_key_person=Exists(active))
        .order_by("name", "pk")
    )


def screening_results_for_key_persons(
    *,
    user,
    run: ScreeningRun,
    result_ids: Iterable[int] | None = None,
    category_code: str = "",
) -> QuerySet[ScreeningResult]:
    """Linked results (auto or accepted, not those to review) of a run that the user may see,
    of residents the user may see: those with the given ids, or all of one origin category."""
    results = ScreeningResult.objects.visible_to(user).filter(
        run=run,
        status__in=[LinkStatus.AUTO, LinkStatus.DECIDED],
        resident__in=Resident.objects.visible_to(user),
    )
    if result_ids is not None:
        results = results.filter(pk__in=list(result_ids))
    if category_code:
        results = results.filter(category__code=category_code)
    return results.order_by("pk")


# ---------------------------------------------------------------------------- teams and contacts


def team_roles() -> list[TeamRole]:
    return list(TeamRole.objects.filter(is_active=True).order_by("order", "code"))


def current_team(*, user, key_person: KeyPerson) -> QuerySet[TeamMember]:
    return (
        TeamMember.objects.visible_to(user)
        .filter(key_person=key_person, ended_at__isnull=True)
        .select_related("role", "worker__staff_profile__unit")
        .order_by("role__order", "role__code")
    )


def team_history(*, user, key_person: KeyPerson) -> QuerySet[TeamMember]:
    return (
        TeamMember.objects.visible_to(user)
        .filter(key_person=key_person, ended_at__isnull=False)
        .select_related("role", "worker__staff_profile")
        .order_by("-ended_at")
    )


def _active_places():
    return TeamMember.objects.filter(
        worker=OuterRef("pk"), ended_at__isnull=True, key_person__status__in=ACTIVE_STATUSES
    )


def _count(queryset, field="pk"):
    """A correlated COUNT subquery (0 when there is nothing)."""
    counted = (
        queryset.order_by().values(field).annotate(n=Func(F("pk"), function="COUNT")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def team_candidates(*, key_person: KeyPerson, role: TeamRole) -> QuerySet:
    """Workers who may take `role` on the key person's team: holding its staff role, active,
    of a unit that covers the key person's unit; each with `load` (current places on active
    key persons), fewest first, then the closest."""
    unit = key_person.unit
    line = Q(staff_profile__unit__path__in=lineage_paths(unit.path)) | in_subtree(
        unit, via="staff_profile__unit"
    )
    load = _count(_active_places().values("worker"), "worker")
    return (
        get_user_model()
        .objects.filter(line, is_active=True, groups__name=role.staff_role)
        .select_related("staff_profile__unit")
        .annotate(load=load)
        .order_by("load", "-staff_profile__unit__depth", "pk")
    )


def _rules() -> tuple[int, dict[str, int]]:
    rules = dict(ContactRule.objects.values_list("category", "every_hours"))
    return rules.pop("", DEFAULT_CONTACT_HOURS), rules


def with_contact_state(key_persons: QuerySet[KeyPerson], *, now=None) -> QuerySet[KeyPerson]:
    """Annotate `last_contact_at` and `is_overdue`: under management, and no contact within
    the contact rule of the person's category (nor since they came under management)."""
    now = now or timezone.now()
    default_hours, rules = _rules()

    def by_category(value_of, output_field):
        return Case(
            *[When(category=category, then=Value(value_of(h))) for category, h in rules.items()],
            default=Value(value_of(default_hours)),
            output_field=output_field,
        )

    due_after = by_category(lambda h: now - datetime.timedelta(hours=h), DateTimeField())
    managed_by = by_category(
        lambda h: timezone.localdate(now - datetime.timedelta(hours=h)), DateField()
    )
    last = ContactEntry.objects.filter(key_person=OuterRef("pk")).order_by("-contacted_at")
    # Bounded by `now` too: a contact logged later did not stop the person being overdue
    # then, so a past moment's figure stays what it was.
    recent = ContactEntry.objects.filter(
        key_person=OuterRef("pk"),
        contacted_at__gte=OuterRef("contact_due_after"),
        contacted_at__lte=now,
    )
    return key_persons.annotate(
        contact_due_after=due_after,
        managed_due_by=managed_by,
        last_contact_at=Subquery(last.values("contacted_at")[:1]),
    ).annotate(
        is_overdue=Case(
            When(
                Q(status=KeyPersonStatus.UNDER_MANAGEMENT)
                & Q(managed_from__lte=F("managed_due_by"))
                & ~Exists(recent),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def my_key_persons(*, user, worker) -> QuerySet[KeyPerson]:
    """The active key persons `worker` holds a current team place for (among those `user`
    may see), overdue ones first, then the longest without contact."""
    places = TeamMember.objects.filter(
        key_person=OuterRef("pk"), worker=worker, ended_at__isnull=True
    )
    role_names = TeamMember.objects.filter(
        key_person=OuterRef("pk"), worker=worker, ended_at__isnull=True
    ).order_by("role__order")
    key_persons = (
        KeyPerson.objects.visible_to(user)
        .filter(Exists(places), status__in=ACTIVE_STATUSES)
        .select_related("resident__household", "unit", "origin_category")
        .annotate(
            my_role=Subquery(
                role_names.annotate(role_name=data_name_expression("role__")).values("role_name")[
                    :1
                ]
            ),
            my_status=Subquery(role_names.values("status")[:1]),
        )
    )
    return with_contact_state(key_persons).order_by(
        F("is_overdue").desc(), F("last_contact_at").asc(nulls_first=True), "pk"
    )


# The contact states a worker's list can be narrowed to (the home page's to-do lines).
CONTACT_OVERDUE = "overdue"
CONTACT_DUE_TODAY = "today"


def my_key_persons_by_contact(*, user, worker, contact: str = "") -> QuerySet[KeyPerson]:
    """`my_key_persons`, narrowed by `contact`: "overdue" now, or "today": not overdue now
    but overdue by midnight unless someone contacts them today."""
    key_persons = my_key_persons(user=user, worker=worker)
    if contact == CONTACT_OVERDUE:
        return key_persons.filter(is_overdue=True)
    if contact == CONTACT_DUE_TODAY:
        midnight = _day_start(timezone.localdate() + datetime.timedelta(days=1))
        places = TeamMember.objects.filter(
            key_person=OuterRef("pk"), worker=worker, ended_at__isnull=True
        )
        # The same worker's persons, their state evaluated at midnight instead of now.
        due_by_midnight = (
            with_contact_state(
                KeyPerson.objects.filter(Exists(places), status=KeyPersonStatus.UNDER_MANAGEMENT),
                now=midnight,
            )
            .filter(is_overdue=True)
            .values("pk")
        )
        return key_persons.filter(is_overdue=False, pk__in=due_by_midnight)
    return key_persons


def community_of_unit():
    """The community of a key person's unit (the unit itself above the grid level)."""
    return Case(
        When(unit__kind=UnitKind.GRID, then=F("unit__parent_id")),
        default=F("unit_id"),
        output_field=IntegerField(),
    )


def overdue_key_persons(*, user, unit: Unit | None = None, worker=None) -> QuerySet[KeyPerson]:
    """Key persons under management the user may see who are overdue for a contact, the
    longest without contact first; of a unit (and below), or of one worker's team places."""
    key_persons = KeyPerson.objects.visible_to(user).filter(status=KeyPersonStatus.UNDER_MANAGEMENT)
    if unit is not None:
        key_persons = key_persons.within(unit)
    if worker is not None:
        places = TeamMember.objects.filter(
            key_person=OuterRef("pk"), worker=worker, ended_at__isnull=True
        )
        key_persons = key_persons.filter(Exists(places))
    return (
        with_contact_state(key_persons)
        .filter(is_overdue=True)
        .select_related("resident", "unit", "origin_category")
        .order_by(F("last_contact_at").asc(nulls_first=True), "pk")
    )


def overdue_rows(*, user, unit: Unit | None = None, worker=None) -> list[tuple[int, int]]:
    """(key person id, community id) of every overdue key person, longest without contact
    first: the overdue rule is evaluated once, by one query, for the list and its counts."""
    return list(
        overdue_key_persons(user=user, unit=unit, worker=worker)
        .select_related(None)
        .annotate(community_id=community_of_unit())
        .values_list("pk", "community_id")
    )


def overdue_by_community(rows: list[tuple[int, int]]) -> list[dict]:
    """Overdue counts per community, largest first: [{"unit": Unit, "n": int}]."""
    counts: dict[int, int] = {}
    for _pk, community_id in rows:
        counts[community_id] = counts.get(community_id, 0) + 1
    units = Unit.objects.in_bulk(list(counts))
    return [
        {"unit": units[community_id], "n": n}
        for community_id, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        if community_id in units
    ]


def overdue_by_worker(key_person_ids: list[int], *, limit: int = 100) -> list[dict]:
    """Overdue counts per worker (current team places), largest first."""
    rows = list(
        TeamMember.objects.filter(ended_at__isnull=True, key_person_id__in=key_person_ids)
        .values(
            "worker_id",
            "worker__staff_profile__display_name",
            role_name=data_name_expression("role__"),
        )
        .annotate(n=Count("pk"))
        .order_by("-n", "worker_id")[:limit]
    )
    return [
        {
            "worker_id": row["worker_id"],
            "name": row["worker__staff_profile__display_name"],
            "role": row["role_name"],
            "n": row["n"],
        }
        for row in rows
    ]


def complete_team_key_person_ids() -> QuerySet:
    """Ids of key persons with a confirmed member in every active place, by one grouped
    query (no per-person count)."""
    places = TeamRole.objects.filter(is_active=True).count()
    return (
        TeamMember.objects.filter(
            ended_at__isnull=True, status=MemberStatus.CONFIRMED, role__is_active=True
        )
        .values("key_person_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=places)
        .values("key_person_id")
    )


def incomplete_teams(*, user, unit: Unit | None = None) -> QuerySet[KeyPerson]:
    """Active key persons the user may see whose team lacks a confirmed member in some
    active place, newest first."""
    key_persons = KeyPerson.objects.visible_to(user).filter(status__in=ACTIVE_STATUSES)
    if unit is not None:
        key_persons = key_persons.within(unit)
    return (
        key_persons.exclude(pk__in=complete_team_key_person_ids())
        .select_related("resident", "unit")
        .order_by("-identified_on", "-pk")
    )


def has_proposed_member(key_person: KeyPerson) -> bool:
    """Whether a place of the key person's current team holds a member still proposed."""
    return TeamMember.objects.filter(
        key_person=key_person, ended_at__isnull=True, status=MemberStatus.PROPOSED
    ).exists()


def current_places(key_person_ids) -> dict[int, dict[int, dict]]:
    """The current team of each key person as plain rows (one query, no model instances):
    {key person id: {team role id: {"status", "name"}}}."""
    places: dict[int, dict[int, dict]] = {}
    for row in TeamMember.objects.filter(
        key_person_id__in=list(key_person_ids), ended_at__isnull=True
    ).values(
        "key_person_id",
        "role_id",
        "status",
        "worker__username",
        "worker__staff_profile__display_name",
    ):
        places.setdefault(row["key_person_id"], {})[row["role_id"]] = {
            "status": row["status"],
            "name": row["worker__staff_profile__display_name"] or row["worker__username"],
        }
    return places


def _workers_in_view(user) -> QuerySet:
    """Staff holding a place on an active key person the user may see, or working in the
    user's jurisdiction in a team role."""
    places = TeamMember.objects.filter(
        worker=OuterRef("pk"), ended_at__isnull=True, key_person__in=_active_visible(user)
    )
    unit = user_scope_unit(user)
    staff_roles = list(TeamRole.objects.filter(is_active=True).values_list("staff_role", flat=True))
    own = Exists(
        get_user_model().groups.through.objects.filter(
            user_id=OuterRef("pk"), group__name__in=staff_roles
        )
    )
    if unit is not None and not user_sees_everything(user):
        own = own & in_subtree(unit, via="staff_profile__unit")
    return get_user_model().objects.filter(
        own | Exists(places), is_active=True, staff_profile__isnull=False
    )


def _active_visible(user):
    return KeyPerson.objects.visible_to(user).filter(status__in=ACTIVE_STATUSES).values("pk")


def worker_loads(*, user, unit: Unit | None = None, limit: int = 60) -> list[dict]:
    """The busiest workers in the user's view (of `unit` and below when given), each with
    `places`: current team places on active key persons the user may see. Two queries: the
    places counted by one GROUP BY, the workers listed once."""
    counted = (
        TeamMember.objects.filter(ended_at__isnull=True, key_person__in=_active_visible(user))
        .values("worker_id")
        .annotate(n=Count("pk"))
    )
    places = {row["worker_id"]: row["n"] for row in counted}
    workers = _workers_in_view(user)
    if unit is not None:
        workers = workers.filter(in_subtree(unit, via="staff_profile__unit"))
    rows = list(
        workers.values("pk", "staff_profile__display_name", "staff_profile__unit__name")
        .order_by("staff_profile__unit__path", "pk")
        .distinct()
    )
    for row in rows:
        row["places"] = places.get(row["pk"], 0)
    rows.sort(key=lambda row: -row["places"])
    return rows[:limit]


def in_order(queryset: QuerySet[KeyPerson], ids: list[int]) -> list[KeyPerson]:
    """The key persons `ids` (one page of them) from `queryset`, in the order of `ids`."""
    found = {key_person.pk: key_person for key_person in queryset.filter(pk__in=list(ids))}
    return [found[pk] for pk in ids if pk in found]


def contact_entries(
    *,
    user,
    unit: Unit | None = None,
    key_person: KeyPerson | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[ContactEntry]:
    """Contacts the user may see, newest first; of a unit (and below), of one key person,
    between two days (inclusive, local time)."""
    entries = ContactEntry.objects.visible_to(user).select_related(
        "key_person__resident", "worker__staff_profile"
    )
    if unit is not None:
        entries = entries.within(unit)
    if key_person is not None:
        entries = entries.filter(key_person=key_person)
    if since is not None:
        entries = entries.filter(contacted_at__gte=_day_start(since))
    if until is not None:
        entries = entries.filter(contacted_at__lt=_day_start(until + datetime.timedelta(days=1)))
    return entries.order_by("-contacted_at", "-pk")


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def visible_worker(*, user, worker_id) -> object:
    """A worker whose list the user may open: in the user's jurisdiction, or holding a place
    on a key person the user may see; otherwise a 404."""
    try:
        return _workers_in_view(user).select_related("staff_profile__unit").get(pk=int(worker_id))
    except (ValueError, TypeError, ObjectDoesNotExist) as exc:
        raise Http404 from exc


CLOSE_PERMISSION = "keypersons.close_keyperson"


def key_person_next_statuses(user, key_person: KeyPerson) -> list[str]:
    """The statuses the user may move the key person to: the lifecycle's next steps, less
    the closing ones unless the user's role decides closings."""
    return [
        status
        for status in ALLOWED_TRANSITIONS[key_person.status]
        if status not in CLOSED_STATUSES or user.has_perm(CLOSE_PERMISSION)
    ]
