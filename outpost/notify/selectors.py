"""Reads of notify: a user only ever reads their own inbox."""

from django.db.models import QuerySet

from outpost.notify.models import DeliveryPreference, InboxMessage


def inbox_messages(*, user, unread_only: bool = False) -> QuerySet[InboxMessage]:
    messages = InboxMessage.objects.filter(recipient=user)
    if unread_only:
        messages = messages.filter(read_at__isnull=True)
    return messages


def inbox_unread_count(*, user) -> int:
    return InboxMessage.objects.filter(recipient=user, read_at__isnull=True).count()


def delivery_preferences(*, user) -> dict[str, str]:
    """The user's own choices, kind -> delivery (a kind not chosen is absent)."""
    return dict(DeliveryPreference.objects.filter(user=user).values_list("kind", "delivery"))
