"""Reads of notify: a user only ever reads their own inbox."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from outpost.notify.choices import NOT_REACHED_STATUSES, REACHED_STATUSES, DeliveryStatus
from outpost.notify.models import DeliveryPreference, InboxMessage, OutboundMessage


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


@dataclass(frozen=True)
class OutboundState:
    """One outbound message as its sender's page shows it: channel, state, when."""

    channel: str
    status: str
    status_label: str
    at: object  # the receipt's moment, else the sending, else the queuing

    @property
    def reached(self) -> bool:
        return self.status in REACHED_STATUSES

    @property
    def not_reached(self) -> bool:
        return self.status in NOT_REACHED_STATUSES


def outbound_states(abouts: Iterable[str]) -> dict[str, list[OutboundState]]:
    """The outbound messages sent about each of `abouts` (see `notification_send`'s
    `about`), with their delivery states, oldest first."""
    found: dict[str, list[OutboundState]] = defaultdict(list)
    rows = (
        OutboundMessage.objects.filter(about__in=set(abouts))
        .order_by("created_at", "pk")
        .values_list("about", "channel", "status", "delivered_at", "sent_at", "created_at")
    )
    labels = dict(DeliveryStatus.choices)
    for about, channel, status, delivered_at, sent_at, created_at in rows:
        found[about].append(
            OutboundState(
                channel,
                status,
                str(labels.get(status, status)),
                delivered_at or sent_at or created_at,
            )
        )
    return dict(found)


def not_reached(about: str, channel: str = "sms") -> bool:
    """Whether every message of `channel` sent about `about` has failed or ended unknown
    (there was at least one): nobody will get it, the next step need not wait."""
    states = [s for s in outbound_states([about]).get(about, []) if s.channel == channel]
    return bool(states) and all(state.not_reached for state in states)
