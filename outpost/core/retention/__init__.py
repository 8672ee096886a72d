"""Retention (保存期限): how long each kind of record is kept, and what happens then.

Each app declares its kinds of records in its own ``retention.py`` and registers them
from ``AppConfig.ready()`` with `register_retention_kind`; core knows no app's models. A
kind names its model, the reference date its period runs from (a field path: an
episode's end, a feed's upload, an order's deadline), its default period and action
(delete, or anonymise: personal fields blanked, the row and its counts kept), the steps
on related rows (an episode's readings deleted, its alerts' notes blanked), the records
whose legal hold keeps it (its key person, their resident) and a hook for files (a feed's
raw file). Administrators change the period and, where a kind allows both, the action
(`RetentionPolicy`); the nightly job (`services.retention_purge`) applies them in batches
and writes a hash-chained purge certificate (`chain`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise

from outpost.core.choices import RetentionAction

# What an anonymised name or note reads as where the database needs a value: stored data,
# not a message (pages show it as it is, in any language).
ANONYMISED_TEXT = "已匿名"


@dataclass(frozen=True)
class RelatedStep:
    """Work on rows related to a batch of a kind's records, run before the records' own
    action, in the same transaction: `model` ("observation.CheckIn") reached from the
    record by `via` (the step model's field path to the record: "episode"); delete them,
    or set `fields` (field -> value or expression) on them and on their history rows."""

    model: str
    via: str
    action: RetentionAction
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RetentionKind:
    """One kind of record with its retention rule (see the module docstring)."""

    key: str
    label: str | Promise
    model: str
    reference: str
    reference_label: str | Promise
    default_days: int
    actions: Sequence[RetentionAction] = (RetentionAction.DELETE,)
    # field -> value or expression set on anonymised records and their history rows.
    anonymise: Mapping[str, Any] = field(default_factory=dict)
    steps: Sequence[RelatedStep] = ()
    # Only records matching this are ever due (closed key persons, resolved discrepancies).
    eligible: Q | None = None
    # Model label -> field path from the record to a record whose legal hold keeps it.
    holds: Mapping[str, str] = field(default_factory=dict)
    # Called with the pks of a batch before its action, in its transaction (files).
    on_purge: Callable[[list[int]], None] | None = None

    @property
    def default_action(self) -> RetentionAction:
        return self.actions[0]

    def get_model(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def reference_field(self) -> models.Field:
        """The field the reference path ends on (a DateField or a DateTimeField)."""
        model = self.get_model()
        *relations, last = self.reference.split("__")
        for name in relations:
            model = model._meta.get_field(name).related_model
        return model._meta.get_field(last)

    def reference_is_date(self) -> bool:
        return not isinstance(self.reference_field(), models.DateTimeField)

    def hold_targets(self) -> dict[str, str]:
        """Model label -> path of every record whose hold keeps this kind's records: the
        record itself first."""
        return {self.get_model()._meta.label: "pk", **dict(self.holds)}


_KINDS: dict[str, RetentionKind] = {}


def register_retention_kind(kind: RetentionKind) -> RetentionKind:
    """Declare a kind of record to the retention job. Call from ``AppConfig.ready()``."""
    if not kind.actions:
        raise ValueError(f"retention kind {kind.key} allows no action")
    if RetentionAction.ANONYMISE in kind.actions and not (kind.anonymise or kind.steps):
        raise ValueError(f"retention kind {kind.key} anonymises without saying how")
    _KINDS[kind.key] = kind
    return kind


def retention_kinds() -> list[RetentionKind]:
    """Every registered kind, by key."""
    return [_KINDS[key] for key in sorted(_KINDS)]


def get_kind(key: str) -> RetentionKind:
    """The kind `key`; LookupError when no app registers it."""
    try:
        return _KINDS[key]
    except KeyError as exc:
        raise LookupError(key) from exc


def kinds_for_model(model: type[models.Model]) -> list[RetentionKind]:
    """The kinds whose records are rows of `model`."""
    label = model._meta.label
    return [kind for kind in retention_kinds() if kind.get_model()._meta.label == label]


def cutoff_for(kind: RetentionKind, *, days: int, now: datetime.datetime):
    """The latest reference value of a record due at `now` after `days`: a China-time date
    for a date reference, a moment for a datetime one."""
    from django.utils import timezone

    if kind.reference_is_date():
        return timezone.localdate(now) - datetime.timedelta(days=days)
    return now - datetime.timedelta(days=days)
