"""Writes of staff accounts. Each checks the acting user may, and writes an AccountEvent."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.accounts.selectors import failures_of, manageable_users
from outpost.core.audit import save_audited
from outpost.core.choices import AccountAction, Role
from outpost.core.messaging import staff_alert_send
from outpost.core.models import AccountEvent, DemoPassword, StaffProfile, Unit
from outpost.core.scoping import user_scope_unit, user_sees_everything

User = get_user_model()
logger = logging.getLogger(__name__)

# A failed log-in locks only (username, address): an attacker cannot lock a user out
# everywhere. Past this many failures of one username from all addresses together within
# the cool-off time, the administrators above that user are told.
LOCKOUT_ALERT_FAILURES = 20


def _event(*, actor, user, action: str, detail: str = "", ip_address=None) -> AccountEvent:
    return AccountEvent.objects.create(
        actor=actor, user=user, action=action, detail=detail[:300], ip_address=ip_address
    )


def temporary_password() -> str:
    """A password an administrator reads out once; the user then sets their own."""
    return secrets.token_urlsafe(9)


def _check_manageable(acting_user, user, action: str = "change") -> None:
    if not manageable_users(user=acting_user, action=action).filter(pk=user.pk).exists():
        raise PermissionDenied(_("This account is not within your jurisdiction."))


def _check_unit(acting_user, unit: Unit) -> None:
    if user_sees_everything(acting_user):
        return
    scope = user_scope_unit(acting_user)
    if scope is None or not scope.contains(unit):
        raise ValidationError({"unit": _("Choose a unit within your jurisdiction.")})


def _set_roles(user, roles: Iterable[str]) -> None:
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError({"roles": _("Unknown role.")})
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    keep = user.groups.exclude(name__in=Role.values)  # groups that are not roles stay
    user.groups.set([*keep, *Group.objects.filter(name__in=roles)])


def _role_names(roles: Iterable[str]) -> str:
    labels = dict(Role.choices)
    return "、".join(str(labels[r]) for r in Role.values if r in set(roles))


@transaction.atomic
def user_create(
    *,
    acting_user,
    username: str,
    display_name: str,
    unit: Unit,
    roles: Iterable[str],
    phone: str = "",
    email: str = "",
    ip_address: str | None = None,
) -> tuple[User, str]:
    """Create a login in a unit of the acting administrator's subtree; returns the user and
    a temporary password, shown once."""
    if not acting_user.has_perm("core.add_staffprofile"):
        raise PermissionDenied(_("Your role may not create accounts."))
    _check_unit(acting_user, unit)
    roles = list(roles)
    password = temporary_password()
    user = User(username=username.strip(), email=email.strip())
    user.set_password(password)
    user.is_staff = Role.ADMINISTRATOR in roles  # the Django admin is for administrators
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    user.save()
    _set_roles(user, roles)
    profile = StaffProfile(user=user, display_name=display_name.strip(), unit=unit, phone=phone)
    profile.full_clean()
    save_audited(profile, acting_user=acting_user)
    _event(
        actor=acting_user,
        user=user,
        action=AccountAction.CREATED,
        detail=f"{unit.name}: {_role_names(roles)}",
        ip_address=ip_address,
    )
    return user, password


@transaction.atomic
def user_update(
    *,
    acting_user,
    user,
    display_name: str,
    unit: Unit,
    roles: Iterable[str],
    phone: str = "",
    email: str = "",
    ip_address: str | None = None,
) -> User:
    """Change a login's name, unit, roles and contact; unit and role changes are logged."""
    _check_manageable(acting_user, user)
    _check_unit(acting_user, unit)
    roles = list(roles)
    profile = user.staff_profile
    old_unit = profile.unit
    old_roles = {g.name for g in user.groups.all()} & set(Role.values)
    if user.pk == acting_user.pk and Role.ADMINISTRATOR in old_roles - set(roles):
        raise ValidationError({"roles": _("You cannot take your own administrator role.")})
    profile.display_name, profile.unit, profile.phone = display_name.strip(), unit, phone
    profile.full_clean()
    save_audited(profile, acting_user=acting_user)
    user.email = email.strip()
    user.is_staff = Role.ADMINISTRATOR in roles
    user.save(update_fields=["email", "is_staff"])
    _set_roles(user, roles)
    if old_unit.pk != unit.pk:
        _event(
            actor=acting_user,
            user=user,
            action=AccountAction.UNIT_CHANGED,
            detail=f"{old_unit.name} → {unit.name}",
            ip_address=ip_address,
        )
    if old_roles != set(roles):
        _event(
            actor=acting_user,
            user=user,
            action=AccountAction.ROLES_CHANGED,
            detail=f"{_role_names(old_roles)} → {_role_names(roles)}",
            ip_address=ip_address,
        )
    return user


@transaction.atomic
def user_roles_set(*, acting_user, user, roles: Iterable[str], ip_address=None) -> User:
    """Give a login exactly these roles (the command line's set-role)."""
    profile = user.staff_profile
    return user_update(
        acting_user=acting_user,
        user=user,
        display_name=profile.display_name,
        unit=profile.unit,
        roles=roles,
        phone=profile.phone,
        email=user.email,
        ip_address=ip_address,
    )


@transaction.atomic
def user_deactivate(*, acting_user, user, ip_address: str | None = None) -> User:
    """Stop a login from logging in; nothing it did is deleted."""
    _check_manageable(acting_user, user)
    if user.pk == acting_user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        _event(
            actor=acting_user, user=user, action=AccountAction.DEACTIVATED, ip_address=ip_address
        )
    return user


@transaction.atomic
def user_reactivate(*, acting_user, user, ip_address: str | None = None) -> User:
    _check_manageable(acting_user, user)
    if DemoPassword.objects.filter(password_hash=user.password).exists():
        raise ValidationError(
            _("This account still has the demo password: reset its password first.")
        )
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        _event(
            actor=acting_user, user=user, action=AccountAction.REACTIVATED, ip_address=ip_address
        )
    return user


@transaction.atomic
def user_password_reset(*, acting_user, user, ip_address: str | None = None) -> str:
    """Give a login a new temporary password (returned, shown once) and clear its lockouts."""
    _check_manageable(acting_user, user)
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    axes_reset(username=user.username)
    _event(actor=acting_user, user=user, action=AccountAction.PASSWORD_RESET, ip_address=ip_address)
    return password


@transaction.atomic
def own_password_set(
    *, user, password: str, by_email: bool = False, ip_address: str | None = None
) -> None:
    """The user sets their own password: changed when logged in, or by a link sent by email."""
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    if by_email:  # whoever holds the mailbox may try again from anywhere
        axes_reset(username=user.username)
    _event(
        actor=None if by_email else user,
        user=user,
        action=(
            AccountAction.PASSWORD_RESET_BY_EMAIL if by_email else AccountAction.PASSWORD_CHANGED
        ),
        ip_address=ip_address,
    )


@transaction.atomic
def lockout_clear(*, acting_user, user, ip_address: str | None = None) -> int:
    """Let a locked-out login try again from every address; returns the rows cleared."""
    _check_manageable(acting_user, user)
    cleared = axes_reset(username=user.username)
    _event(
        actor=acting_user,
        user=user,
        action=AccountAction.LOCKOUT_CLEARED,
        detail=str(cleared),
        ip_address=ip_address,
    )
    return cleared


def _administrators_over(unit: Unit):
    """Active administrators whose subtree holds the unit."""
    paths = [unit.path[: i + 1] for i, ch in enumerate(unit.path) if ch == "/"]
    return User.objects.filter(
        is_active=True,
        groups__name=Role.ADMINISTRATOR,
        staff_profile__unit__path__in=paths,
    ).distinct()


@transaction.atomic
def lockout_alert_if_due(*, username: str, ip_address: str | None = None) -> bool:
    """After a failed log-in: past the per-username threshold, tell the administrators over
    the user once per cool-off time. Returns whether an alert went out."""
    from outpost.core.accounts.selectors import recent_attempts

    user = User.objects.filter(username=username).select_related("staff_profile__unit").first()
    profile = getattr(user, "staff_profile", None) if user else None
    if profile is None or failures_of(username) < LOCKOUT_ALERT_FAILURES:
        return False
    window_start = recent_attempts().filter(username=username).order_by("attempt_time").first()
    since = window_start.attempt_time if window_start else timezone.now()
    already = AccountEvent.objects.filter(
        user=user, action=AccountAction.LOCKOUT_ALERT, at__gte=since
    )
    if already.exists():
        return False
    addresses = recent_attempts().filter(username=username).count()
    failures = failures_of(username)
    _event(
        actor=None,
        user=user,
        action=AccountAction.LOCKOUT_ALERT,
        detail=f"{failures} / {addresses}",
        ip_address=ip_address,
    )
    from django.urls import reverse

    staff_alert_send(
        recipients=_administrators_over(profile.unit),
        subject=_("Many failed log-ins for %(name)s") % {"name": profile.display_name},
        body=_(
            "%(failures)d failed log-ins for the account %(username)s from %(addresses)d "
            "addresses. Each address is locked out on its own; check the lockouts and reset "
            "the password if the account may be at risk."
        )
        % {"failures": failures, "username": username, "addresses": addresses},
        url=reverse("core:lockout_list"),
    )
    logger.warning("%d failed log-ins for %s; administrators alerted", failures, username)
    return True


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Django's user_login_failed, after axes has counted the failure."""
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD) or (
        credentials or {}
    ).get("username")
    if username:
        lockout_alert_if_due(
            username=username,
            ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
        )
