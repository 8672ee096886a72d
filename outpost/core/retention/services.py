"""Retention's writes: policies, legal holds, and the purge.

The purge (`retention_purge`) walks every registered kind: the records whose reference
date lies more than the policy's days back (never fewer than the legal minimum of
`OUTPOST_RETENTION_MINIMUM_DAYS`), not yet anonymised, and not held, are deleted or
anonymised in batches. Each batch is one transaction that also adds its counts to the
run's certificate, so a crash leaves no half-done batch and every done batch is on a
certificate; the next run finishes a certificate a dead run left, then goes on. History
rows go with what they record: deleted with a deleted record, blanked with an anonymised
one (otherwise a record's change history would keep what was erased).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Max, Min
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.choices import RetentionAction
from outpost.core.crypto.fields import with_derived_values
from outpost.core.models import AnonymisedRecord, LegalHold, PurgeCertificate, RetentionPolicy
from outpost.core.retention import RetentionKind, cutoff_for, get_kind, retention_kinds
from outpost.core.retention.chain import certificate_hash
from outpost.core.retention.selectors import (
    effective_policy,
    held_filter,
    holdable_model,
    record_unit,
)

logger = logging.getLogger("outpost.retention")

BATCH_SIZE = 500
REFERENCE = "_retention_reference"


# ---------------------------------------------------------------------------- policies


def legal_minimum(kind_key: str) -> int:
    return int(settings.OUTPOST_RETENTION_MINIMUM_DAYS.get(kind_key, 0))


@transaction.atomic
def retention_policy_set(*, acting_user, kind_key: str, days: int, action: str) -> RetentionPolicy:
    """Set how long records of a kind are kept and what happens then; a change bumps the
    policy's version. Refused below the kind's legal minimum, or with an action the kind
    does not allow."""
    if not acting_user.has_perm("core.change_retentionpolicy"):
        raise PermissionDenied
    try:
        kind = get_kind(kind_key)
    except LookupError as exc:
        raise ValidationError({"kind": _("No kind of record has this name.")}) from exc
    minimum = legal_minimum(kind.key)
    if days < max(minimum, 1):
        raise ValidationError(
            {
                "days": _(
                    "%(kind)s must be kept at least %(minimum)d days: the legal minimum set for it."
                )
                % {"kind": kind.label, "minimum": max(minimum, 1)}
            }
        )
    if action not in kind.actions:
        raise ValidationError(
            {
                "action": _("%(kind)s cannot be %(action)s.")
                % {
                    "kind": kind.label,
                    "action": RetentionAction(action).label.lower()
                    if action in RetentionAction.values
                    else action,
                }
            }
        )
    policy = RetentionPolicy.objects.select_for_update().filter(kind=kind.key).first()
    if policy is None:
        policy = RetentionPolicy(kind=kind.key, days=days, action=action, version=1)
    elif (policy.days, policy.action) == (days, action):
        return policy
    else:
        policy.days, policy.action, policy.version = days, action, policy.version + 1
    policy.changed_by = acting_user
    policy.changed_at = timezone.now()
    save_audited(policy, acting_user=acting_user)
    return policy


# ---------------------------------------------------------------------------- legal holds


@transaction.atomic
def legal_hold_open(
    *, acting_user, model_label: str, object_id: int, case_reference: str, reason: str
) -> LegalHold:
    """Hold a record of the user's jurisdiction (a resident, a key person…) for a case:
    the purge skips every record about it until the hold is released."""
    if not acting_user.has_perm("core.add_legalhold"):
        raise PermissionDenied
    model = holdable_model(model_label)
    if model is None:
        raise ValidationError({"model_label": _("Records of this type cannot be held.")})
    record = model.objects.visible_to(acting_user).filter(pk=object_id).first()
    if record is None:
        raise ValidationError(
            {"object_id": _("No record of this type has this number in your jurisdiction.")}
        )
    hold = LegalHold(
        model_label=model._meta.label,
        object_id=record.pk,
        unit=record_unit(record),
        case_reference=case_reference.strip(),
        reason=reason.strip(),
        opened_by=acting_user,
    )
    hold.full_clean()
    save_audited(hold, acting_user=acting_user)
    return hold


@transaction.atomic
def legal_hold_release(*, acting_user, hold: LegalHold) -> LegalHold:
    """End a hold: the records it kept are purged at the next run if they are due."""
    if not acting_user.has_perm("core.change_legalhold"):
        raise PermissionDenied
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise ValidationError(_("This hold was released already."))
    hold.released_at = timezone.now()
    hold.released_by = acting_user
    save_audited(hold, acting_user=acting_user, update_fields=["released_at", "released_by"])
    return hold


# ---------------------------------------------------------------------------- the purge


@dataclass
class KindPlan:
    """What one kind has due at a moment: the policy applied, the records due and those
    kept by a hold (the queryset of the first excludes the second)."""

    kind: RetentionKind
    days: int
    action: str
    version: int
    due: models.QuerySet
    held: models.QuerySet

    def policy_entry(self) -> dict:
        return {"days": self.days, "action": self.action, "version": self.version}


def kind_plan(kind: RetentionKind, *, now: datetime.datetime) -> KindPlan:
    policy = effective_policy(kind)
    model = kind.get_model()
    cutoff = cutoff_for(kind, days=policy.applied_days, now=now)
    rows = model._base_manager.filter(**{f"{kind.reference}__lte": cutoff})
    if kind.eligible is not None:
        rows = rows.filter(kind.eligible)
    if policy.action == RetentionAction.ANONYMISE:
        done = AnonymisedRecord.objects.filter(kind=kind.key).values("object_id")
        rows = rows.exclude(pk__in=done)
    held = held_filter(kind)
    if held is None:
        return KindPlan(kind, policy.applied_days, policy.action, policy.version, rows, rows.none())
    held_pks = model._base_manager.filter(held).values("pk")
    return KindPlan(
        kind,
        policy.applied_days,
        policy.action,
        policy.version,
        rows.exclude(pk__in=held_pks),
        rows.filter(pk__in=held_pks),
    )


@dataclass
class PurgeSummary:
    """What a purge did (or, dry, would do): per kind the action and count, and the
    records kept under a hold."""

    certificate: PurgeCertificate | None
    counts: dict[str, dict] = field(default_factory=dict)
    held: dict[str, dict] = field(default_factory=dict)


def retention_purge(
    *,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    task_run: str = "",
    batch_size: int = BATCH_SIZE,
) -> PurgeSummary:
    """Purge every kind's due records as of `now`, in batches, and write the certificate;
    with `dry_run`, only count what is due and held."""
    now = now or timezone.now()
    plans = [kind_plan(kind, now=now) for kind in retention_kinds()]
    held = {plan.kind.key: _held_entry(plan) for plan in plans}
    held = {key: entry for key, entry in held.items() if entry["count"]}
    if dry_run:
        counts = {
            plan.kind.key: {"action": plan.action, "count": plan.due.count()} for plan in plans
        }
        return PurgeSummary(None, counts, held)
    certificate = _certificate_start(now=now, task_run=task_run, plans=plans, held=held)
    for plan in plans:
        _purge_kind(plan, certificate=certificate, now=now, batch_size=batch_size)
    certificate = _certificate_finish(certificate)
    return PurgeSummary(certificate, certificate.counts, certificate.held)


def _held_entry(plan: KindPlan) -> dict:
    """How many due records a hold keeps, and which holds (their numbers, not whose)."""
    count = plan.held.count()
    if not count:
        return {"count": 0, "holds": []}
    holds = set()
    for label, path in plan.kind.hold_targets().items():
        open_holds = dict(
            LegalHold.objects.open().filter(model_label=label).values_list("object_id", "pk")
        )
        if not open_holds:
            continue
        held_ids = plan.held.filter(**{f"{path}__in": list(open_holds)}).values_list(
            path, flat=True
        )
        holds.update(open_holds[object_id] for object_id in set(held_ids) if object_id)
    return {"count": count, "holds": sorted(holds)}


def _certificate_start(*, now, task_run: str, plans, held: dict) -> PurgeCertificate:
    """This run's certificate: the one a run that died left unfinished (this run finishes
    it), or a new one after the last."""
    policies = {plan.kind.key: plan.policy_entry() for plan in plans}
    for _attempt in range(3):
        try:
            with transaction.atomic():
                last = PurgeCertificate.objects.select_for_update().order_by("-sequence").first()
                if last is not None and not last.record_hash:
                    last.policies = {**last.policies, **policies}
                    last.held = held
                    last.task_run = task_run or last.task_run
                    last.save(update_fields=["policies", "held", "task_run"])
                    return last
                return PurgeCertificate.objects.create(
                    sequence=(last.sequence + 1) if last else 1,
                    started_at=timezone.now(),
                    task_run=task_run,
                    policies=policies,
                    held=held,
                    previous_hash=last.record_hash if last else "",
                )
        except IntegrityError:
            continue  # another run took the number a moment ago
    raise RuntimeError("could not start a purge certificate")


def _certificate_finish(certificate: PurgeCertificate) -> PurgeCertificate:
    with transaction.atomic():
        certificate = PurgeCertificate.objects.select_for_update().get(pk=certificate.pk)
        certificate.finished_at = timezone.now()
        certificate.record_hash = certificate_hash(certificate)
        certificate.save(update_fields=["finished_at", "record_hash"])
    logger.info("purge certificate #%s: %s", certificate.sequence, certificate.counts)
    return certificate


def _purge_kind(plan: KindPlan, *, certificate, now, batch_size: int) -> None:
    while True:
        with transaction.atomic():
            batch = list(plan.due.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not batch:
                return
            span = _reference_span(plan.kind, batch)
            if plan.kind.on_purge is not None:
                plan.kind.on_purge(batch)
            if plan.action == RetentionAction.DELETE:
                done = _delete(plan.kind, batch)
            else:
                done = _anonymise(plan.kind, batch, certificate=certificate, now=now)
            _certificate_count(certificate, plan, done, span)


def _reference_span(kind: RetentionKind, batch: list[int]) -> tuple[str, str]:
    rows = (
        kind.get_model()
        ._base_manager.filter(pk__in=batch)
        .annotate(**{REFERENCE: F(kind.reference)})
    )
    span = rows.aggregate(first=Min(REFERENCE), last=Max(REFERENCE))
    return tuple(_day(span[key]) for key in ("first", "last"))


def _day(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return value.isoformat() if value else ""


def _certificate_count(certificate, plan: KindPlan, done: int, span: tuple[str, str]) -> None:
    """Add a batch to the certificate, in the batch's transaction."""
    row = PurgeCertificate.objects.select_for_update().get(pk=certificate.pk)
    counts = row.counts or {}
    entry = counts.get(plan.kind.key) or {
        "action": plan.action,
        "count": 0,
        "from": "",
        "until": "",
    }
    entry["count"] += done
    entry["from"] = min(filter(None, (entry["from"], span[0])), default="")
    entry["until"] = max(filter(None, (entry["until"], span[1])), default="")
    counts[plan.kind.key] = entry
    row.counts = counts
    row.save(update_fields=["counts"])
    certificate.counts = counts


# ---------------------------------------------------------------------------- actions


def history_model(model: type[models.Model]) -> type[models.Model] | None:
    """The model of `model`'s change history (django-simple-history), if it keeps one."""
    manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
    if not manager_name:
        return None
    return getattr(model, manager_name).model


def _delete_rows(queryset: models.QuerySet) -> int:
    """Delete the rows (and what cascades from them) with every history row of each: a
    deletion must not leave the erased values in the change history."""
    collector = Collector(using=queryset.db, origin=queryset)
    collector.collect(queryset)
    collected = {model: [obj.pk for obj in objs] for model, objs in collector.data.items()}
    if list(collected) == [queryset.model] and not collector.field_updates:
        # Only the change history listens for these rows' deletion, and the row it would
        # write for each is deleted with the rest of their history below: deleting
        # directly is about ten times faster (bench/retention_purge.py).
        for related in collector.fast_deletes:
            related._raw_delete(using=queryset.db)
        rows = queryset.model._base_manager.filter(pk__in=collected[queryset.model])
        deleted = rows._raw_delete(using=queryset.db)
    else:
        _total, per_model = collector.delete()
        deleted = per_model.get(queryset.model._meta.label, 0)
    for model, pks in collected.items():
        history = history_model(model)
        if history is not None and pks:
            history.objects.filter(**{f"{model._meta.pk.attname}__in": pks}).delete()
    return deleted


def _update_rows(queryset: models.QuerySet, fields: dict) -> None:
    """Set `fields` on the rows and on every history row of each."""
    pks = list(queryset.values_list("pk", flat=True))
    if not pks:
        return
    # The plain managers skip the blind indexes and last four digits an encrypted field
    # derives: blanked with it, or an erased number could still be matched by its index.
    model = queryset.model
    model._base_manager.filter(pk__in=pks).update(**with_derived_values(model, fields))
    history = history_model(model)
    if history is not None:
        history.objects.filter(**{f"{model._meta.pk.attname}__in": pks}).update(
            **with_derived_values(history, fields)
        )


def _related_steps(kind: RetentionKind, batch: list[int]) -> None:
    from django.apps import apps

    for step in kind.steps:
        related = apps.get_model(step.model)._base_manager.filter(**{f"{step.via}__in": batch})
        if step.action == RetentionAction.DELETE:
            _delete_rows(related)
        else:
            _update_rows(related, dict(step.fields))


def _delete(kind: RetentionKind, batch: list[int]) -> int:
    _related_steps(kind, batch)
    deleted = _delete_rows(kind.get_model()._base_manager.filter(pk__in=batch))
    AnonymisedRecord.objects.filter(kind=kind.key, object_id__in=batch).delete()
    return deleted


def _anonymise(kind: RetentionKind, batch: list[int], *, certificate, now) -> int:
    _related_steps(kind, batch)
    if kind.anonymise:
        _update_rows(kind.get_model()._base_manager.filter(pk__in=batch), dict(kind.anonymise))
    AnonymisedRecord.objects.bulk_create(
        [
            AnonymisedRecord(
                kind=kind.key, object_id=pk, anonymised_at=now, certificate=certificate
            )
            for pk in batch
        ]
    )
    return len(batch)
