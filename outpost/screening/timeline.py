"""Screening's part of a person's story: feed matches (比对结果) and concealed-travel
discrepancies (出行信息不一致). Registered with core's timeline in ``ready()``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.timeline import TimelineEvent
from outpost.screening.choices import LinkStatus
from outpost.screening.models import ScreeningResult, ScreeningRun, TravelDiscrepancy


def _day(value) -> str:
    return date_format(value, "Y-m-d") if value else "—"


def screening_events(*, user, resident=None, key_person=None) -> list:
    if resident is None:
        return []
    # A link still to be reviewed is a candidate, not a fact about this person.
    results = list(
        ScreeningResult.objects.visible_to(user)
        .filter(resident=resident)
        .exclude(status=LinkStatus.REVIEW)
        .select_related("run", "category")
    )
    runs = set(
        ScreeningRun.objects.visible_to(user)
        .filter(pk__in=[r.run_id for r in results])
        .values_list("pk", flat=True)
    )
    events = []
    for result in results:
        run = result.run
        events.append(
            TimelineEvent(
                at=run.finished_at or run.created_at,
                kind="feed_match",
                kind_label=gettext_lazy("Feed match"),
                title=str(result.category) if result.category else _("Matched in a feed"),
                facts=(
                    (gettext_lazy("Arrival date"), _day(result.arrival_date)),
                    (gettext_lazy("Match"), result.get_status_display()),
                ),
                url=reverse("screening:run_detail", args=[run.pk]) if run.pk in runs else "",
            )
        )
    discrepancies = TravelDiscrepancy.objects.visible_to(user).filter(resident=resident)
    for item in discrepancies:
        declared = item.declared_origin if item.declared_travelled else _("no travel")
        events.append(
            TimelineEvent(
                at=item.created_at,
                kind="discrepancy",
                kind_label=gettext_lazy("Travel discrepancy"),
                title=item.get_kind_display(),
                facts=(
                    (gettext_lazy("Declared at the visit"), declared),
                    (gettext_lazy("The feed says"), item.feed_origin or item.feed_region_code),
                    (gettext_lazy("Arrival date"), _day(item.arrival_date)),
                    (gettext_lazy("Status"), item.get_status_display()),
                ),
                url=reverse("screening:discrepancy_detail", args=[item.pk]),
            )
        )
    return events
