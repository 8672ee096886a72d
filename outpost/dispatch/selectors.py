"""Reads of dispatch orders, always scoped (`visible_to`), with the joins each page needs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from outpost.core.choices import UnitKind
from outpost.core.models import Unit
from outpost.core.scoping import user_covers
from outpost.dispatch.choices import MatchStatus
from outpost.dispatch.models import DispatchItem, DispatchOrder
from outpost.registry.models import Resident

OPEN = Q(result="")


def order_list(*, user) -> QuerySet[DispatchOrder]:
    """The orders of the user's jurisdiction and of the units above it, newest first, with
    the counts of the items the user may see (an office sees its own items of a station's
    order, never the station's totals)."""
    now = timezone.now()

    def count(condition: Q | None = None):
        rows = (
            DispatchItem.objects.visible_to(user)
            .filter(condition or Q(), order=OuterRef("pk"))
            .order_by()
            .values("order")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows), 0)

    return (
        DispatchOrder.objects.visible_to(user)
        .select_related("unit")
        .annotate(item_count=count(), done_count=count(~OPEN))
        .annotate(
            overdue_count=Case(
                When(deadline__lt=now, then=F("item_count") - F("done_count")), default=0
            )
        )
        .order_by("-received_at", "-pk")
    )


def order_item_count(*, order: DispatchOrder, user) -> int:
    """The order's items the user may see: the list's annotation when there is one, the
    stored total for a user who covers the order's unit, else a count."""
    if hasattr(order, "item_count"):
        return order.item_count
    if user_covers(user, order.unit):
        return order.total_items
    return DispatchItem.objects.visible_to(user).filter(order=order).count()


@dataclass
class Progress:
    """Counts of an order's items: done, open, overdue (open after the deadline), and the
    items still at the duty desk or to review."""

    total: int = 0
    done: int = 0
    open: int = 0
    overdue: int = 0
    to_route: int = 0
    review: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class OrderProgress:
    overall: Progress
    by_community: list[tuple[str, Progress]] = field(default_factory=list)


def order_progress(*, order: DispatchOrder, user) -> OrderProgress:
    """The order's progress against its deadline, overall and per community (the duty desk
    and the items to review under the order's own unit). Two queries."""
    overdue = order.deadline < timezone.now()
    rows = (
        DispatchItem.objects.visible_to(user)
        .filter(order=order)
        .values_list("unit__path", "result", "assigned_officer_id", "match_status")
    )
    communities = {
        path: name
        for path, name in Unit.objects.subtree(order.unit)
        .filter(kind=UnitKind.COMMUNITY)
        .values_list("path", "name")
    }
    overall = Progress()
    groups: dict[str, Progress] = {}
    for path, result, officer_id, match_status in rows:
        community = next((n for p, n in communities.items() if path.startswith(p)), "")
        for progress in (overall, groups.setdefault(community, Progress())):
            progress.total += 1
            if result:
                progress.done += 1
            else:
                progress.open += 1
                progress.overdue += overdue
                if match_status == MatchStatus.REVIEW:
                    progress.review += 1
                elif officer_id is None:
                    progress.to_route += 1
    by_community = sorted(groups.items(), key=lambda g: (g[0] == "", g[0]))
    return OrderProgress(overall=overall, by_community=by_community)


def _items(user, action: str = "view") -> QuerySet[DispatchItem]:
    return DispatchItem.objects.visible_to(user, action).select_related(
        "order", "unit", "resident", "assigned_officer__staff_profile", "duplicate_of"
    )


def order_items(*, order: DispatchOrder, user, show: str = "") -> QuerySet[DispatchItem]:
    """The items of an order the user may see; `show`: open / overdue / done / all."""
    items = _items(user).filter(order=order)
    if show in ("open", "overdue"):
        items = items.filter(OPEN)
    if show == "overdue" and order.deadline >= timezone.now():
        items = items.none()
    if show == "done":
        items = items.exclude(OPEN)
    return items.order_by("row_number")


def duty_desk_items(*, order: DispatchOrder, user) -> QuerySet[DispatchItem]:
    """Items waiting for an officer at the duty desk (值班台): unmatched, or matched in a
    unit without an officer."""
    return (
        _items(user, "change")
        .filter(order=order, assigned_officer__isnull=True)
        .exclude(match_status=MatchStatus.REVIEW)
        .order_by("row_number")
    )


@dataclass
class ReviewItem:
    item: DispatchItem
    candidates: list[tuple[Resident, int]]


def review_items(*, order: DispatchOrder, user) -> list[ReviewItem]:
    """Items whose match the engine left to a person, with their candidates (the residents
    the user may see). Two queries."""
    items = list(
        _items(user, "change")
        .filter(order=order, match_status=MatchStatus.REVIEW)
        .order_by("row_number")
    )
    ids = {c["resident_id"] for item in items for c in item.candidates}
    residents = Resident.objects.visible_to(user).select_related("unit").in_bulk(list(ids))
    return [
        ReviewItem(
            item=item,
            candidates=[
                (residents[c["resident_id"]], c["score"])
                for c in item.candidates
                if c["resident_id"] in residents
            ],
        )
        for item in items
    ]


def my_items(*, user, order_id: int | None = None, show: str = "open") -> QuerySet[DispatchItem]:
    """The items routed to the user, open ones first and the nearest deadline first.
    `show`: "open", "done", "all", or of the open ones "overdue" (deadline passed) and
    "today" (deadline later today): the home page's to-do lines."""
    items = _items(user, "change").filter(assigned_officer=user)
    if order_id:
        items = items.filter(order_id=order_id)
    now = timezone.now()
    if show == "open":
        items = items.filter(OPEN)
    elif show == "done":
        items = items.exclude(OPEN)
    elif show == "overdue":
        items = items.filter(OPEN, order__deadline__lt=now)
    elif show == "today":
        midnight = timezone.make_aware(
            datetime.datetime.combine(timezone.localdate(now), datetime.time())
        ) + datetime.timedelta(days=1)
        items = items.filter(OPEN, order__deadline__gte=now, order__deadline__lt=midnight)
    return items.order_by("order__deadline", "order_id", "row_number")
