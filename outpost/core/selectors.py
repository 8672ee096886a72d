from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from outpost.core.choices import Role, UnitKind
from outpost.core.models import AccessLog, ApiToken, Unit

# Who at the station looks into what a user may not see themselves (a number already held
# outside their jurisdiction).
STATION_REVIEW_ROLES = (Role.STATION_LEADER, Role.POLICE_OFFICER, Role.ADMINISTRATOR)


def access_log_list(*, user, access_filter=None, unit=None) -> QuerySet[AccessLog]:
    """The access log of the user's subtree, newest first, narrowed by an
    `access_log.AccessLogFilter` (and `unit`, the unit it names, looked up in scope)."""
    entries = AccessLog.objects.visible_to(user).select_related("actor__staff_profile")
    if access_filter is not None:
        entries = access_filter.apply(entries, unit=unit)
    return entries


def demo_password_usernames() -> list[str]:
    """Active logins that still have the demo district's shared password (never changed).
    A deactivated login cannot log in, and is not reactivated with that password."""
    from django.contrib.auth import get_user_model

    from outpost.core.models import DemoPassword

    hashes = DemoPassword.objects.values("password_hash")
    return list(
        get_user_model()
        .objects.filter(is_active=True, password__in=hashes)
        .order_by("username")
        .values_list("username", flat=True)
    )


def api_tokens(*, user) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first: nobody sees another user's tokens."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def station_reviewers(unit: Unit) -> QuerySet:
    """Active staff of the station above `unit` (leader, officers, administrators working at
    the station itself), who see its whole jurisdiction and so can check a record against
    one outside the reporting user's scope."""
    station = unit.ancestor_of_kind(UnitKind.STATION) or unit
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff_profile__unit=station,
            groups__name__in=[role.value for role in STATION_REVIEW_ROLES],
        )
        .distinct()
    )
