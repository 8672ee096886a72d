"""The briefing's figures for other systems to pull: a unit's figures per day over a date
range, from the frozen snapshots for past days and counted live for today."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema

from outpost.briefing.models import DailySnapshot
from outpost.briefing.reports import day_figures
from outpost.core.api_support import ApiRouter, api_get_visible, scoped_route
from outpost.core.models import Unit

router = ApiRouter(tags=["briefing"])

# A quarter of a year per request is plenty for a trend and bounds the answer.
MAX_DAYS = 92


class FiguresUnitOut(Schema):
    id: int
    code: str
    name: str


class DayOut(Schema):
    day: datetime.date
    live: bool  # counted now (today) rather than read from the day's snapshot
    figures: dict[str, int | None]


class FiguresOut(Schema):
    unit: FiguresUnitOut
    days: list[DayOut]


@router.get(
    "/units/{unit_id}/figures",
    response=FiguresOut,
    openapi_extra=scoped_route(Unit),
)
def unit_figures(
    request: HttpRequest,
    unit_id: int,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
):
    """The figures of a unit of the caller's area (and everything below it) for each day
    from `since` to `until` (default: the last 7 days up to today). Past days come from
    their snapshots; a past day that was never frozen is left out."""
    if not request.auth.has_perm("briefing.view_dailysnapshot"):
        raise PermissionDenied(_("Your role may not read the briefing."))
    unit = api_get_visible(request, Unit, unit_id)
    today = timezone.localdate()
    until = min(until or today, today)
    since = since or until - datetime.timedelta(days=6)
    if since > until:
        raise ValidationError({"since": _("The first day must not be after the last.")})
    if (until - since).days >= MAX_DAYS:
        raise ValidationError(
            {"since": _("Ask for at most %(n)d days at a time.") % {"n": MAX_DAYS}}
        )
    frozen = DailySnapshot.objects.filter(unit=unit, day__gte=since, day__lte=until).order_by("day")
    days = [
        DayOut(day=day, live=False, figures=figures)
        for day, figures in frozen.values_list("day", "figures")
    ]
    if until == today:
        days.append(DayOut(day=today, live=True, figures=day_figures(unit=unit, day=today).values))
    return FiguresOut(unit=FiguresUnitOut(id=unit.pk, code=unit.code, name=unit.name), days=days)
