from django.db.models import Q, QuerySet

from outpost.core.models import AccessLog


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
