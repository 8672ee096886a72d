"""Reads of the enterprises module, always scoped (`scoping`)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from outpost.core.choices import Role, UnitKind
from outpost.core.models import Unit
from outpost.core.scoping import in_subtree, user_scope_unit, user_sees_everything
from outpost.enterprises.models import Enterprise, EnterpriseContact, EnterpriseLiaison
from outpost.enterprises.scoping import (  # noqa: F401 (the helpers other parts import from here)
    enterprise_of_liaison,
    enterprises_for,
    is_liaison,
    scope_to_enterprise,
)
from outpost.enterprises.validators import normalize_credit_code

ESSENTIAL_YES = "yes"
ESSENTIAL_NO = "no"


def enterprise_list(
    *,
    user,
    unit: Unit | None = None,
    sector: str = "",
    essential: str = "",
    status: str = "",
    query: str = "",
) -> QuerySet[Enterprise]:
    """The enterprises `user` may see, filtered: `unit` (a community or grid and below),
    `sector`, `essential` ("yes"/"no"), `status`, `query` (part of the name, or the credit
    code or its beginning)."""
    qs = enterprises_for(user).select_related("unit")
    if unit is not None:
        qs = qs.within(unit)
    if sector:
        qs = qs.filter(sector=sector)
    if essential in (ESSENTIAL_YES, ESSENTIAL_NO):
        qs = qs.filter(is_essential=essential == ESSENTIAL_YES)
    if status:
        qs = qs.filter(status=status)
    query = query.strip()
    if query:
        code = normalize_credit_code(query)
        qs = qs.filter(Q(name__icontains=query) | Q(credit_code__startswith=code))
    return qs.annotate(
        contact_count=Count("contacts", filter=Q(contacts__is_active=True), distinct=True)
    ).order_by("name", "pk")


def enterprise_detail_queryset(*, user) -> QuerySet[Enterprise]:
    return enterprises_for(user).select_related("unit", "created_by__staff_profile")


def enterprise_contacts(*, user, enterprise: Enterprise) -> QuerySet[EnterpriseContact]:
    """The enterprise's contact people, current ones first."""
    return EnterpriseContact.objects.visible_to(user).filter(enterprise=enterprise)


def enterprise_liaisons(*, user, enterprise: Enterprise) -> QuerySet[EnterpriseLiaison]:
    return (
        EnterpriseLiaison.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("user__staff_profile")
    )


def filter_units(*, user) -> QuerySet[Unit]:
    """Communities and grids of the user's jurisdiction, for filters and forms."""
    return (
        Unit.objects.visible_to(user)
        .filter(kind__in=[UnitKind.COMMUNITY, UnitKind.GRID], is_active=True)
        .order_by("path")
    )


def liaison_candidates(*, user, enterprise: Enterprise):
    """Active logins with the enterprise liaison role, of the user's jurisdiction and not
    bound to an enterprise yet: who may be made the enterprise's liaison."""
    users = get_user_model().objects.filter(
        is_active=True,
        groups__name=Role.ENTERPRISE_LIAISON,
        enterprise_liaison__isnull=True,
        staff_profile__isnull=False,
    )
    if not user_sees_everything(user):
        unit = user_scope_unit(user)
        if unit is None:
            return users.none()
        users = users.filter(in_subtree(unit, via="staff_profile__unit"))
    return users.select_related("staff_profile").order_by("username")
