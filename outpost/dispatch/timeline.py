"""Dispatch's part of a person's story: each dispatched item (指令条目) about the person,
with its order, officer and result. Registered with core's timeline in ``ready()``.

Only the item's own status is shown, never the values as sent: they hold the full ID
number, phone and birth date the order came with."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.timeline import TimelineEvent
from outpost.dispatch.models import DispatchItem
from outpost.registry.timeline import staff_name


def dispatch_events(*, user, resident=None, key_person=None) -> list:
    if resident is not None:
        about = Q(resident=resident) | Q(key_person__resident=resident)
    else:
        about = Q(key_person=key_person)
    items = list(
        DispatchItem.objects.visible_to(user)
        .filter(about)
        .select_related("order", "assigned_officer__staff_profile")
    )
    changeable = set(
        DispatchItem.objects.visible_to(user, "change")
        .filter(pk__in=[item.pk for item in items])
        .values_list("pk", flat=True)
    )
    events = []
    for item in items:
        order = item.order
        facts = [
            (gettext_lazy("Order"), f"{order.order_number} · {order.issuing_body}"),
            (
                gettext_lazy("Officer"),
                staff_name(item.assigned_officer) if item.assigned_officer_id else _("not routed"),
            ),
            (
                gettext_lazy("Result"),
                item.get_result_display() if item.result else _("not verified yet"),
            ),
        ]
        events.append(
            TimelineEvent(
                at=order.received_at,
                kind="dispatch",
                kind_label=gettext_lazy("Dispatch item"),
                title=order.title,
                facts=tuple(facts),
                url=reverse("dispatch:item_result", args=[item.pk])
                if item.pk in changeable
                else "",
            )
        )
    return events
