"""Jurisdiction scoping (DESIGN rule 1): the only way to read rows of personal data.

Every model that holds personal data inherits `ScopedModel`; its default manager's
queryset has `visible_to(user, action)`, which returns nothing unless the user's roles
grant `<app>.<action>_<model>` and then only rows whose unit lies in the user's subtree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from outpost.core.models import Unit


def user_scope_unit(user) -> Unit | None:
    """The unit whose subtree the user may see, or None when the user sees nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    profile = getattr(user, "staff_profile", None)
    if profile is None or profile.unit_id is None:
        return None
    return profile.unit


def user_sees_everything(user) -> bool:
    """Superusers created at the command line have no unit and see the whole tree."""
    return bool(getattr(user, "is_superuser", False)) and getattr(user, "is_active", False)


def in_subtree(unit: Unit | str, via: str = "unit") -> Q:
    """Rows whose unit, reached through `via` (e.g. "staff_profile__unit"), lies in the
    subtree of `unit` (the unit itself included); `unit` may be given by its path, and an
    empty `via` filters units themselves."""
    path = unit if isinstance(unit, str) else unit.path
    return Q(**{f"{via}__path__startswith" if via else "path__startswith": path})


class ScopedQuerySet(models.QuerySet):
    def within(self, unit: Unit) -> ScopedQuerySet:
        """Rows of `unit`'s subtree, through the model's `scope_unit_field`. A filter, not a
        permission: chain it after `visible_to`."""
        return self.filter(in_subtree(unit, via=self.model.scope_unit_field))

    def visible_to(self, user, action: str = "view") -> ScopedQuerySet:
        model = self.model
        permission = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        if user_sees_everything(user):
            return self.all()
        if not getattr(user, "is_authenticated", False) or not user.has_perm(permission):
            return self.none()
        unit = user_scope_unit(user)
        if unit is None:
            return self.none()
        return self.within(unit)


class ScopedModel(models.Model):
    """A row of personal data that belongs to a unit of the jurisdiction tree."""

    scope_unit_field = "unit"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


def get_visible(model: type[models.Model], user, pk, action: str = "view"):
    """Look a record up within the user's scope; missing and forbidden give the same 404."""
    try:
        return model.objects.visible_to(user, action).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404(model._meta.verbose_name) from exc


def assert_in_scope(instance: models.Model, user, action: str = "change") -> None:
    """Re-check after a write that the record is still inside the user's scope.

    Called inside the service's transaction, so a failure rolls the write back.
    """
    model = type(instance)
    if not model.objects.visible_to(user, action).filter(pk=instance.pk).exists():
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("record left the user's jurisdiction")
