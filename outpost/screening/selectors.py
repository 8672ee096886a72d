"""Reads of the screening module (STYLE rule 6): scoped where the rows are personal data."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from outpost.screening.models import Feed, FeedRow, OriginCategory, RiskDesignation
from outpost.screening.regions import region_codes_upwards


def origin_category_for(region_code: str, on_date: datetime.date) -> OriginCategory | None:
    """The origin category of an arrival from ``region_code`` on ``on_date``.

    The most specific designation in force that day wins: the county's own, else its
    city's, else its province's; a place no designation names falls to the designation
    without a region (elsewhere). None when no designation is in force that day (or the
    code is not a region code).
    """
    codes = region_codes_upwards(region_code)
    if not codes or on_date is None:
        return None
    in_force = (
        RiskDesignation.objects.filter(start_date__lte=on_date, end_date__gte=on_date)
        .filter(Q(region__code__in=codes) | Q(region__isnull=True))
        .select_related("category", "region")
    )
    rank = {code: position for position, code in enumerate(codes)}
    best = min(
        in_force,
        key=lambda d: (rank[d.region.code] if d.region_id else len(codes), d.pk),
        default=None,
    )
    return best.category if best else None


def designation_list() -> QuerySet[RiskDesignation]:
    return RiskDesignation.objects.select_related("region", "category").order_by(
        "-start_date", "category__order", "region__code"
    )


def feed_list(*, user) -> QuerySet[Feed]:
    return Feed.objects.visible_to(user).select_related("unit", "uploaded_by__staff_profile")


def feed_rows(*, feed: Feed, user, errors_only: bool = False) -> QuerySet[FeedRow]:
    rows = FeedRow.objects.visible_to(user).filter(feed=feed)
    if errors_only:
        rows = rows.exclude(parse_errors=[])
    return rows.order_by("row_number")
