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


def api_tokens(*, user) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first: nobody sees another user's tokens."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
