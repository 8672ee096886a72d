"""Who sees which enterprise's records (DESIGN rule 1, for enterprises).

Staff see the enterprises of their unit subtree, like every scoped row. An enterprise
liaison (企业联络员) sees only the enterprise it is bound to (`EnterpriseLiaison`), whatever
unit its staff profile names; a liaison login not bound to any enterprise sees none.

The models of the module inherit `EnterpriseScopedModel` (or use
`EnterpriseScopedQuerySet` and set ``scope_enterprise_field``), so that
``Model.objects.visible_to(user)`` applies this; a queryset of another shape is scoped with
`scope_to_enterprise`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import QuerySet

from outpost.core.choices import Role
from outpost.core.roles import user_roles
from outpost.core.scoping import (
    ScopedQuerySet,
    in_subtree,
    user_scope_unit,
    user_sees_everything,
)

if TYPE_CHECKING:
    from outpost.enterprises.models import Enterprise

_UNSET = object()


def enterprise_of_liaison(user) -> Enterprise | None:
    """The enterprise a liaison login is bound to, or None (staff, or a liaison not yet
    bound). Read once per user object."""
    cached = getattr(user, "_outpost_enterprise", _UNSET)
    if cached is not _UNSET:
        return cached
    enterprise = None
    if getattr(user, "is_authenticated", False) and user.is_active:
        liaison = (
            apps.get_model("enterprises", "EnterpriseLiaison")
            ._base_manager.filter(user=user)
            .select_related("enterprise__unit")
            .first()
        )
        enterprise = liaison.enterprise if liaison is not None else None
    user._outpost_enterprise = enterprise
    return enterprise


def is_liaison(user) -> bool:
    """Whether the user works for an enterprise (the liaison role, or bound to one)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Role.ENTERPRISE_LIAISON in user_roles(user) or enterprise_of_liaison(user) is not None


def scope_to_enterprise(qs: QuerySet, user, field: str = "enterprise") -> QuerySet:
    """`qs` cut to what `user` may see of the enterprises reached through `field`
    ("enterprise", "request__enterprise"; "pk" for enterprises themselves): a liaison its
    own enterprise, staff the enterprises of their unit subtree, nobody else anything.
    A filter of place, not of permission: the caller checks the permission (or uses
    ``visible_to``, which does both)."""
    if user_sees_everything(user) and not is_liaison(user):
        return qs
    if is_liaison(user):
        enterprise = enterprise_of_liaison(user)
        if enterprise is None:
            return qs.none()
        return qs.filter(**{field: enterprise.pk})
    unit = user_scope_unit(user)
    if unit is None:
        return qs.none()
    via = "unit" if field == "pk" else f"{field}__unit"
    return qs.filter(in_subtree(unit, via=via))


class EnterpriseScopedQuerySet(ScopedQuerySet):
    """``visible_to`` of the module's models: the permission as everywhere, then the place
    through the model's ``scope_enterprise_field`` (see the module docstring)."""

    def visible_to(self, user, action: str = "view") -> EnterpriseScopedQuerySet:
        if not is_liaison(user):
            return super().visible_to(user, action)
        model = self.model
        permission = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        if not user.has_perm(permission):
            return self.none()
        return scope_to_enterprise(self, user, field=model.scope_enterprise_field)


def enterprises_for(user, action: str = "view") -> QuerySet:
    """The enterprises `user` may see (or `action` on): the liaison its own, staff their
    subtree's."""
    return apps.get_model("enterprises", "Enterprise").objects.visible_to(user, action)
