"""Reads of staff accounts, always within the acting administrator's subtree."""

from __future__ import annotations

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from outpost.core.models import AccountEvent, Unit
from outpost.core.scoping import user_scope_unit, user_sees_everything

User = get_user_model()


def manageable_users(*, user, action: str = "view") -> QuerySet:
    """Logins the user may manage: those of their unit's subtree, never a superuser. Nothing without the role's `<action>_staffprofile` permission."""
    # Logins without a staff profile are command-line superusers (`createsuperuser`,
    # `changepassword`), not staff to manage here.
    users = (
        User.objects.filter(staff_profile__isnull=False)
        .select_related("staff_profile__unit")
        .prefetch_related("groups")
    )
    if user_sees_everything(user):
        return users.all()
    if not user.has_perm(f"core.{action}_staffprofile"):
        return users.none()
    unit = user_scope_unit(user)
    if unit is None:
        return users.none()
    within = Unit.objects.subtree(unit)
    return users.filter(is_superuser=False, staff_profile__unit__in=within)


def get_manageable_user(*, user, pk, action: str = "view"):
    """One login within the user's reach; missing and out of scope give the same 404."""
    try:
        return manageable_users(user=user, action=action).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def user_list(*, user, query: str = "") -> QuerySet:
    users = manageable_users(user=user)
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(staff_profile__display_name__icontains=query)
        )
    return users.order_by("staff_profile__unit__path", "username")


def account_events(*, user, account) -> QuerySet[AccountEvent]:
    return (
        AccountEvent.objects.visible_to(user)
        .filter(user=account)
        .select_related("actor__staff_profile")[:50]
    )


def recent_attempts() -> QuerySet[AccessAttempt]:
    """Failed log-ins still counted: within the cool-off time."""
    cool_off = get_cool_off()
    attempts = AccessAttempt.objects.all()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts


def lockout_list(*, user) -> list[dict]:
    """Locked (username, address) pairs of the logins the user manages, newest first."""
    usernames = manageable_users(user=user, action="change").values("username")
    attempts = (
        recent_attempts()
        .filter(username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-attempt_time")
    )
    people = {
        u.username: u
        for u in manageable_users(user=user, action="change").filter(
            username__in=attempts.values("username")
        )
    }
    return [
        {
            "account": people[a.username],
            "ip_address": a.ip_address,
            "failures": a.failures_since_start,
            "at": a.attempt_time,
        }
        for a in attempts
        if a.username in people
    ]


def failures_of(username: str) -> int:
    """Failed log-ins of one username still counted, from every address together."""
    total = recent_attempts().filter(username=username).aggregate(n=Sum("failures_since_start"))
    return total["n"] or 0


def email_reset_available() -> bool:
    """Reset by email only where email reaches people: the SMTP backend. The file and
    console backends keep mail on this machine, where a link would help no one."""
    return settings.NOTIFY.get("email") == "django"
