"""Writes of the core module: access logging of reveals and exports, API tokens."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import bulk_update_audited, save_audited
from outpost.core.choices import AccessAction
from outpost.core.models import AccessLog, ApiToken, Unit
from outpost.core.scoping import in_subtree

REASON_MIN_LENGTH = 4


def clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(
            {
                "reason": _("State the reason in at least %(n)d characters.")
                % {"n": REASON_MIN_LENGTH}
            }
        )
    return reason


@transaction.atomic
def personal_data_reveal(
    *,
    acting_user,
    instance: models.Model,
    fields: Iterable[str],
    reason: str,
    ip_address: str | None = None,
) -> dict[str, str]:
    """Reveal the unmasked values of one record's sensitive fields and log it (rule 2).

    The caller has already looked the record up within the user's scope.
    """
    if not acting_user.has_perm("core.reveal_personal_data"):
        raise PermissionDenied(_("Your role may not reveal personal data."))
    reason = clean_reason(reason)
    fields = list(fields)
    AccessLog.objects.create(
        actor=acting_user,
        action=AccessAction.REVEAL,
        model_label=instance._meta.label,
        object_id=str(instance.pk),
        subject=str(instance)[:200],
        fields=fields,
        row_count=1,
        reason=reason,
        ip_address=ip_address,
    )
    return {field: getattr(instance, field) or "" for field in fields}


@transaction.atomic
def personal_data_export_log(
    *,
    acting_user,
    model: type[models.Model],
    description: str,
    fields: Iterable[str],
    row_count: int,
    reason: str,
    unmasked: bool,
    ip_address: str | None = None,
) -> AccessLog:
    """Log an export of personal data; unmasked exports need the export permission."""
    if unmasked and not acting_user.has_perm("core.export_personal_data"):
        raise PermissionDenied(_("Your role may not export unmasked personal data."))
    return AccessLog.objects.create(
        actor=acting_user,
        action=AccessAction.EXPORT,
        model_label=model._meta.label,
        subject=description[:200],
        fields=list(fields),
        row_count=row_count,
        reason=clean_reason(reason),
        ip_address=ip_address,
    )


@transaction.atomic
def api_token_create(*, acting_user, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token for the acting user; the key is returned only here."""
    key = ApiToken.generate_key()
    token = ApiToken(user=acting_user, name=name, prefix=key[3:11], key_hash=ApiToken.hash_key(key))
    token.full_clean()
    token.save()
    return token, key


def api_token_authenticate(key: str):
    """The user a bearer key belongs to, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key or ""))
        .first()
    )
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


@transaction.atomic
def api_token_revoke(*, acting_user, token: ApiToken) -> None:
    if token.user_id != acting_user.pk:
        raise PermissionDenied
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


@transaction.atomic
def unit_save(*, acting_user, unit: Unit) -> Unit:
    """Create or change a unit, keeping the materialized paths of it and its subtree right;
    every unit of a moved subtree gets a history row naming the acting user."""
    if unit.parent_id is not None:
        parent = Unit.objects.select_for_update().get(pk=unit.parent_id)
        if unit.pk is not None and parent.path.startswith(unit.path or "\0"):
            raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
    else:
        parent = None
    old_path = Unit.objects.filter(pk=unit.pk).values_list("path", flat=True).first()
    unit.path = Unit.build_path(parent, unit.code)
    unit.depth = parent.depth + 1 if parent else 0
    unit.full_clean()
    save_audited(unit, acting_user=acting_user)
    if old_path and old_path != unit.path:
        depth_shift = unit.depth - (old_path.count("/") - 1)
        descendants = list(
            Unit.objects.select_for_update()
            .filter(in_subtree(old_path, via=""))
            .exclude(pk=unit.pk)
        )
        for descendant in descendants:
            descendant.path = unit.path + descendant.path[len(old_path) :]
            descendant.depth += depth_shift
        bulk_update_audited(Unit, descendants, ["path", "depth"], acting_user=acting_user)
    return unit
