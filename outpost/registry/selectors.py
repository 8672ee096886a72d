"""Reads of the registry; every one goes through the scoped managers."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from outpost.core.validators import normalize_id_number
from outpost.registry.models import Household, Resident


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


def resident_list(*, user, query: str = "") -> QuerySet[Resident]:
    """Search by name, or by a full ID number or phone (never by fragments of them)."""
    residents = Resident.objects.visible_to(user).select_related("unit", "household")
    query = query.strip()
    if query:
        normalized = normalize_id_number(query)
        residents = residents.filter(
            Q(name__icontains=query) | Q(id_number=normalized) | Q(phone=query)
        )
    return residents


def registry_counts(*, user) -> dict:
    return {
        "households": Household.objects.visible_to(user).count(),
        "residents": Resident.objects.visible_to(user).filter(is_active=True).count(),
    }
