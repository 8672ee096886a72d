"""Jurisdiction scoping (DESIGN rule 1): the only way to read rows of personal data.

Every model that holds personal data inherits `ScopedModel`; its default manager's
queryset has `visible_to(user, action)`, which returns nothing unless the user's roles
grant `<app>.<action>_<model>` and then only rows whose unit lies in the user's subtree.

Work made at a higher level for the levels below it (a station's screening run, dispatch
order or campaign) *spans levels* (DESIGN rule 7): such a parent model sets
`scope_spans_levels = True` and is visible both inside the user's subtree and when its
unit is an ancestor of the user's unit. Its child rows (results, items, visits) are scoped
models of their own, so a lower-level user reads only the children of their subtree;
`scope_base` gives the unit a page of the parent's figures starts from for the user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

from outpost.core.crypto.fields import with_derived_names, with_derived_values

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


def in_subtree(unit: Unit | str, via: str = "unit", *, listed: bool = False) -> Q:
    """Rows whose unit, reached through `via` (e.g. "staff_profile__unit"), lies in the
    subtree of `unit` (the unit itself included); `unit` may be given by its path, and an
    empty `via` filters units themselves.

    `listed` reads the subtree's unit ids first and filters by that list. SQLite's planner
    cannot tell how many rows a subquery's units hold, so a page of a long list ordered by
    name over a whole station sorted every row (50 ms on the demo's residents); knowing
    the list's length, it walks the ordering index instead (1 ms)."""
    path = unit if isinstance(unit, str) else unit.path
    if not via:
        return Q(path__startswith=path)
    # The subtree's units first (a few hundred rows), then the rows of those units by
    # their unit index: a join on the path would read every row of the table instead.
    # (The model by name: core.models imports this module.)
    units = apps.get_model("core", "Unit").objects.filter(path__startswith=path)
    if listed:
        return Q(**{f"{via}__in": list(units.values_list("pk", flat=True))})
    return Q(**{f"{via}__in": units.values("pk")})


class ScopedQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # An encrypted field's blind index and last four follow it (core.crypto).
        return super().update(**with_derived_values(self.model, kwargs))

    def bulk_update(self, objs, fields, batch_size=None):
        return super().bulk_update(objs, with_derived_names(self.model, fields), batch_size)

    def within(self, unit: Unit) -> ScopedQuerySet:
        """Rows of `unit`'s subtree, through the model's `scope_unit_field`. A filter, not a
        permission: chain it after `visible_to`."""
        return self.filter(in_subtree(unit, via=self.model.scope_unit_field))

    def visible_to(self, user, action: str = "view", *, listed: bool = False) -> ScopedQuerySet:
        """`listed`: see `in_subtree` (for a long list's ordered pages)."""
        model = self.model
        permission = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        if user_sees_everything(user):
            return self.all()
        if not getattr(user, "is_authenticated", False) or not user.has_perm(permission):
            return self.none()
        unit = user_scope_unit(user)
        if unit is None:
            return self.none()
        field = model.scope_unit_field
        within = in_subtree(unit, via=field, listed=listed)
        if not model.scope_spans_levels:
            return self.filter(within)
        above = Q(**{f"{field}__path__in": ancestor_paths(unit.path)})
        if _is_to_many(model, field):
            # A parent over several units (a campaign's scope) matches once per unit: a
            # subquery keeps each row once without a DISTINCT that would upset annotations.
            return self.filter(pk__in=model._base_manager.filter(within | above).values("pk"))
        return self.filter(within | above)


def ancestor_paths(path: str) -> list[str]:
    """The materialized paths of a unit's ancestors, from the root (the unit excluded)."""
    return lineage_paths(path)[:-1]


def lineage_paths(path: str) -> list[str]:
    """``a/b/c/`` -> ``["a/", "a/b/", "a/b/c/"]``: the paths of a unit's ancestors, from
    the root, and the unit's own."""
    codes = [code for code in path.split("/") if code]
    return ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def _is_to_many(model, field_path: str) -> bool:
    for name in field_path.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def user_covers(user, unit: Unit) -> bool:
    """Whether the user's subtree holds the whole of `unit`'s subtree."""
    if user_sees_everything(user):
        return True
    own = user_scope_unit(user)
    return own is not None and unit.path.startswith(own.path)


def scope_base(user, unit: Unit) -> Unit:
    """Where a user's view of a parent made at `unit` starts: the unit itself when the user
    covers it, else the user's own unit (a station's run seen from an office shows the
    office and the units below it, never the station's totals)."""
    if user_covers(user, unit):
        return unit
    return user_scope_unit(user)


class ScopedModel(models.Model):
    """A row of personal data that belongs to a unit of the jurisdiction tree."""

    scope_unit_field = "unit"
    # A parent whose child rows lie below its own unit (see the module docstring).
    scope_spans_levels = False

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        # Saving an encrypted field saves its blind index and last four with it.
        if update_fields is not None:
            update_fields = with_derived_names(type(self), update_fields)
        super().save(*args, update_fields=update_fields, **kwargs)


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
