"""Retention's reads: the policy in force for each kind, what legal holds keep, the
records that may be held, and when one record is due (for its page)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from outpost.core.models import AnonymisedRecord, LegalHold, RetentionPolicy, Unit
from outpost.core.retention import RetentionKind, get_kind, kinds_for_model, retention_kinds

# Records a hold is placed on besides the kinds' own: the people they are about.
PERSON_MODELS = ("registry.Resident", "keypersons.KeyPerson")


@dataclass(frozen=True)
class EffectivePolicy:
    """The rule in force for a kind: its policy row, else the kind's default; never below
    the legal minimum (`applied_days`)."""

    kind: RetentionKind
    days: int
    action: str
    version: int  # 0: the default, never changed
    minimum: int
    policy: RetentionPolicy | None

    @property
    def applied_days(self) -> int:
        return max(self.days, self.minimum)


def _minimum(key: str) -> int:
    return int(settings.OUTPOST_RETENTION_MINIMUM_DAYS.get(key, 0))


def effective_policy(kind: RetentionKind) -> EffectivePolicy:
    """The kind's rule: its stored policy, or the kind's default."""
    return _effective(kind, RetentionPolicy.objects.filter(kind=kind.key).first())


def _effective(kind: RetentionKind, policy: RetentionPolicy | None) -> EffectivePolicy:
    if policy is None or policy.action not in kind.actions:
        days = policy.days if policy is not None else kind.default_days
        return EffectivePolicy(
            kind,
            days,
            kind.default_action,
            policy.version if policy else 0,
            _minimum(kind.key),
            policy,
        )
    return EffectivePolicy(
        kind, policy.days, policy.action, policy.version, _minimum(kind.key), policy
    )


def effective_policies() -> list[EffectivePolicy]:
    """Every kind's rule, by kind (one query: a kind without a stored policy has its
    default, not a query of its own)."""
    rows = {policy.kind: policy for policy in RetentionPolicy.objects.select_related("changed_by")}
    return [_effective(kind, rows.get(kind.key)) for kind in retention_kinds()]


def held_filter(kind: RetentionKind) -> Q | None:
    """The records of a kind that an open hold keeps (on the record itself or on a record
    it is about), as a filter; None when no hold concerns the kind."""
    open_holds: dict[str, list[int]] = {}
    for label, object_id in LegalHold.objects.open().values_list("model_label", "object_id"):
        open_holds.setdefault(label, []).append(object_id)
    held = Q()
    for label, path in kind.hold_targets().items():
        if open_holds.get(label):
            held |= Q(**{f"{path}__in": open_holds[label]})
    return held or None


def holdable_labels() -> list[str]:
    """Model labels of the records a hold can be placed on: the people, and every kind's
    record that has a unit (so that a hold belongs to a jurisdiction)."""
    labels = []
    for label in (*PERSON_MODELS, *(kind.get_model()._meta.label for kind in retention_kinds())):
        if label not in labels and holdable_model(label) is not None:
            labels.append(label)
    return labels


def holdable_model(label: str) -> type[models.Model] | None:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    known = {*PERSON_MODELS, *(kind.model for kind in retention_kinds())}
    if model._meta.label not in {
        apps.get_model(name)._meta.label for name in known if _exists(name)
    }:
        return None
    field = getattr(model, "scope_unit_field", None)
    if not field or not hasattr(model.objects, "visible_to") or _is_to_many(model, field):
        return None
    return model


def _exists(label: str) -> bool:
    try:
        apps.get_model(label)
    except (LookupError, ValueError):
        return False
    return True


def _is_to_many(model, path: str) -> bool:
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def record_unit(record: models.Model) -> Unit:
    """The unit a scoped record belongs to, through its `scope_unit_field`."""
    value = record
    for name in type(record).scope_unit_field.split("__"):
        value = getattr(value, name)
    return value


def hold_record(hold: LegalHold) -> models.Model | None:
    """The held record, or None if it is gone."""
    model = holdable_model(hold.model_label)
    if model is None:
        return None
    return model._base_manager.filter(pk=hold.object_id).first()


# ---------------------------------------------------------------------------- one record


@dataclass(frozen=True)
class RecordDue:
    """When one record of a kind is due, as its page says it."""

    kind: RetentionKind
    action: str
    days: int
    due_on: datetime.date | None  # None: the reference date is not set yet
    anonymised_at: datetime.datetime | None
    held: bool


def _reference_value(record: models.Model, path: str):
    value = record
    for name in path.split("__"):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


def record_due(record: models.Model) -> list[RecordDue]:
    """For each kind the record belongs to: when it is due and what happens then, whether
    it was anonymised, and whether a hold keeps it."""
    found = []
    for kind in kinds_for_model(type(record)):
        policy = effective_policy(kind)
        reference = _reference_value(record, kind.reference)
        if isinstance(reference, datetime.datetime):
            reference = timezone.localdate(reference)
        eligible = kind.eligible is None or (
            type(record)._base_manager.filter(kind.eligible, pk=record.pk).exists()
        )
        due_on = (
            reference + datetime.timedelta(days=policy.applied_days)
            if reference is not None and eligible
            else None
        )
        marker = AnonymisedRecord.objects.filter(kind=kind.key, object_id=record.pk).first()
        held = held_filter(kind)
        found.append(
            RecordDue(
                kind=kind,
                action=policy.action,
                days=policy.applied_days,
                due_on=due_on,
                anonymised_at=marker.anonymised_at if marker else None,
                held=held is not None
                and type(record)._base_manager.filter(held, pk=record.pk).exists(),
            )
        )
    return found


def kind_label(key: str) -> str:
    try:
        return str(get_kind(key).label)
    except LookupError:
        return key
