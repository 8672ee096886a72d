"""Reads of the key-persons module; every one goes through the scoped managers."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from outpost.core.choices import UnitKind
from outpost.core.models import Unit
from outpost.keypersons.choices import ACTIVE_STATUSES, CLOSED_STATUSES
from outpost.keypersons.models import KeyPerson, KeyPersonSource
from outpost.registry.models import Resident
from outpost.registry.selectors import resident_list
from outpost.screening.choices import LinkStatus
from outpost.screening.models import ScreeningResult, ScreeningRun

# Status filters beyond the single statuses.
STATUS_ACTIVE = "active"
STATUS_CLOSED = "closed"


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
        key_persons = key_persons.filter(unit__path__startswith=unit.path)
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
