"""Writes of the core module: access logging of reveals and exports, API tokens."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import bulk_update_audited, save_audited
from outpost.core.choices import (
    LOGGED_EXPORT_PURPOSES,
    REVEAL_PURPOSES,
    AccessAction,
    AccessPurpose,
)
from outpost.core.i18n import is_supported
from outpost.core.models import AccessLog, ApiToken, StaffProfile, Unit
from outpost.core.scoping import in_subtree
from outpost.core.validators import LINE_MAX_LENGTH, validate_text

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
    if len(reason) > LINE_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("State the reason in at most %(n)d characters.") % {"n": LINE_MAX_LENGTH}}
        )
    try:
        validate_text(reason)
    except ValidationError as exc:
        raise ValidationError({"reason": exc.messages}) from None
    return reason


def clean_purpose(
    purpose: str, reason: str, *, allowed=REVEAL_PURPOSES, field: str = "purpose"
) -> tuple[str, str]:
    """A reveal's or export's purpose and the words that go with it: one of the presets
    `allowed` (`REVEAL_PURPOSES` or `EXPORT_PURPOSES`) is required; a preset needs no
    words (a few may be added), "other" needs the purpose stated (`clean_reason`)."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError({field: _("Choose the purpose.")})
    if purpose not in allowed:
        raise ValidationError(
            {
                field: _("Choose one of the purposes offered: %(purposes)s.")
                % {"purposes": "、".join(str(AccessPurpose(value).label) for value in allowed)}
            }
        )
    if purpose == AccessPurpose.OTHER:
        return purpose, clean_reason(reason)
    reason = (reason or "").strip()
    if reason:
        try:
            validate_text(reason)
        except ValidationError as exc:
            raise ValidationError({"reason": exc.messages}) from None
    return purpose, reason[:LINE_MAX_LENGTH]


@transaction.atomic
def personal_data_reveal(
    *,
    acting_user,
    instance: models.Model,
    fields: Iterable[str],
    reason: str = "",
    purpose: str = "",
    ip_address: str | None = None,
) -> dict[str, str]:
    """Reveal the unmasked values of one record's sensitive fields and log it (rule 2),
    with a preset purpose (`REVEAL_PURPOSES`) or, for "other", the purpose in words.

    The caller has already looked the record up within the user's scope.
    """
    if not acting_user.has_perm("core.reveal_personal_data"):
        raise PermissionDenied(_("Your role may not reveal personal data."))
    purpose, reason = clean_purpose(purpose, reason)
    fields = list(fields)
    _reveal_log(acting_user, instance, fields, purpose, reason, ip_address)
    return {field: getattr(instance, field) or "" for field in fields}


@transaction.atomic
def phone_call_reveal(
    *, acting_user, instance: models.Model, phone: str, ip_address: str | None = None
) -> str:
    """Reveal one phone number for a call (打电话) and log it with the purpose "phone
    contact": nothing to type. The caller has checked that the record is the user's own
    (their grid, their jurisdiction, their four-on-one place): that check, not the reveal
    permission, is what lets field staff call the people they must call daily."""
    if not phone:
        raise ValidationError({"phone": _("No phone number is recorded.")})
    _reveal_log(acting_user, instance, ["phone"], AccessPurpose.PHONE_CONTACT, "", ip_address)
    return phone


def _reveal_log(acting_user, instance, fields, purpose, reason, ip_address) -> AccessLog:
    return AccessLog.objects.create(
        actor=acting_user,
        action=AccessAction.REVEAL,
        model_label=instance._meta.label,
        object_id=str(instance.pk),
        subject=str(instance)[:200],
        fields=fields,
        row_count=1,
        purpose=purpose,
        reason=reason,
        ip_address=ip_address,
    )


@transaction.atomic
def personal_data_export_log(
    *,
    acting_user,
    model: type[models.Model],
    description: str,
    fields: Iterable[str],
    row_count: int,
    purpose: str,
    reason: str,
    unmasked: bool,
    ip_address: str | None = None,
) -> AccessLog:
    """Log an export of personal data with its purpose (`EXPORT_PURPOSES`, "other" in
    words); unmasked exports need the export permission."""
    if unmasked and not acting_user.has_perm("core.export_personal_data"):
        raise PermissionDenied(_("Your role may not export unmasked personal data."))
    purpose, reason = clean_purpose(purpose, reason, allowed=LOGGED_EXPORT_PURPOSES)
    return AccessLog.objects.create(
        actor=acting_user,
        action=AccessAction.EXPORT,
        model_label=model._meta.label,
        subject=description[:200],
        fields=list(fields),
        row_count=row_count,
        purpose=purpose,
        reason=reason,
        ip_address=ip_address,
    )


# A token that is forgotten stops working on its own; the owner may choose up to a year.
API_TOKEN_DEFAULT_DAYS = 90
API_TOKEN_MAX_DAYS = 365


@transaction.atomic
def api_token_create(
    *, acting_user, name: str, expires_in_days: int = API_TOKEN_DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """Create a personal API token for the acting user; the key is returned only here and
    only its hash is stored."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Name the token after the program that will use it.")
    if not 1 <= expires_in_days <= API_TOKEN_MAX_DAYS:
        errors["expires_in_days"] = _("A token is valid for 1 to %(n)d days.") % {
            "n": API_TOKEN_MAX_DAYS
        }
    if errors:
        raise ValidationError(errors)
    key = ApiToken.generate_key()
    token = ApiToken(
        user=acting_user,
        name=name,
        prefix=key[3:11],
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + datetime.timedelta(days=expires_in_days),
    )
    token.full_clean()
    token.save()
    return token, key


def api_token_authenticate(key: str, *, request=None):
    """The user a bearer key belongs to, or None. Each use is noted on the token and, with
    the request, in the access log (a token reads data unattended)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key or ""))
        .first()
    )
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    if request is not None:
        AccessLog.objects.create(
            actor=token.user,
            at=now,
            action=AccessAction.TOKEN_USE,
            model_label=ApiToken._meta.label,
            object_id=str(token.pk),
            subject=f"{request.method} {request.path}"[:200],
            row_count=0,
            reason=str(token)[:300],
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )
    return token.user


@transaction.atomic
def api_token_revoke(*, acting_user, token: ApiToken) -> ApiToken:
    """Revoke one of the acting user's own tokens; it stops working at once."""
    if token.user_id != acting_user.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


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


@transaction.atomic
def staff_language_set(*, acting_user, language: str) -> None:
    """Keep the user's chosen language on their profile, so the next login opens in it.
    Unknown codes are ignored, as Django's switch ignores them."""
    if not is_supported(language):
        return
    profile = StaffProfile.objects.filter(user=acting_user).first()
    if profile is not None and profile.language != language:
        profile.language = language
        profile.save(update_fields=["language"])
