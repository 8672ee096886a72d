from django.db.models import Q, QuerySet

from outpost.core.models import AccessLog, ApiToken


def access_log_list(*, user, query: str = "") -> QuerySet[AccessLog]:
    entries = AccessLog.objects.visible_to(user).select_related("actor__staff_profile")
    if query:
        entries = entries.filter(
            Q(subject__icontains=query)
            | Q(reason__icontains=query)
            | Q(actor__username__icontains=query)
            | Q(actor__staff_profile__display_name__icontains=query)
        )
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
