"""Jurisdiction scoping (DESIGN rule 1): the only way to read rows of personal data.

Every model that holds personal data inherits `ScopedModel`; its default manager's
queryset has `visible_to(user, action)`, which returns nothing unless the user's roles
grant `<app>.<action>_<model>` and then only rows whose unit lies in the user's subtree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
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


class ScopedQuerySet(models.QuerySet):
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
        return self.filter(**{f"{model.scope_unit_field}__path__startswith": unit.path})


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
