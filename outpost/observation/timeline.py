"""Observation's part of a person's story: each observation episode with its temperature
chart, and each alert. Registered with core's timeline in ``ready()``."""

from __future__ import annotations

from collections import defaultdict

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.timeline import TimelineEvent, day_moment
from outpost.keypersons.timeline import key_persons_of
from outpost.observation.charts import temperature_chart_svg
from outpost.observation.models import Alert, CheckIn, Episode, ObservationPolicy


def _episode_event(episode: Episode, check_ins: list, threshold) -> TimelineEvent:
    end = episode.ended_on or episode.planned_end_date
    facts = [
        (
            gettext_lazy("Period"),
            f"{date_format(episode.start_date, 'Y-m-d')} – {date_format(end, 'Y-m-d')}",
        ),
        (gettext_lazy("Status"), episode.get_status_display()),
    ]
    if episode.site_id:
        facts.append((gettext_lazy("Isolation site"), episode.site.name))
    if episode.end_reason:
        facts.append((gettext_lazy("End reason"), episode.get_end_reason_display()))
    if check_ins:
        highest = max(c.temperature for c in check_ins)
        facts.append((gettext_lazy("Highest temperature"), f"{highest} °C"))
    else:
        facts.append((gettext_lazy("Temperatures"), _("No check-in recorded yet.")))
    return TimelineEvent(
        at=day_moment(episode.start_date),
        day_only=True,
        kind="episode",
        kind_label=gettext_lazy("Observation"),
        title=episode.get_kind_display(),
        facts=tuple(facts),
        url=episode.get_absolute_url(),
        chart=temperature_chart_svg(check_ins, threshold=threshold),
    )


def observation_events(*, user, resident=None, key_person=None) -> list:
    key_persons = key_persons_of(user=user, resident=resident, key_person=key_person)
    episodes = list(
        Episode.objects.visible_to(user).filter(key_person__in=key_persons).select_related("site")
    )
    if not episodes:
        return []
    readings = defaultdict(list)
    for check_in in (
        CheckIn.objects.visible_to(user)
        .filter(episode__in=episodes)
        .only("episode_id", "taken_at", "temperature")
    ):
        readings[check_in.episode_id].append(check_in)
    threshold = ObservationPolicy.current().fever_threshold
    events = [_episode_event(e, readings[e.pk], threshold) for e in episodes]
    alerts = Alert.objects.visible_to(user).filter(episode__in=episodes).select_related("check_in")
    for alert in alerts:
        facts = [(gettext_lazy("Status"), alert.get_status_display())]
        if alert.check_in_id:
            facts.append((gettext_lazy("Temperature"), f"{alert.check_in.temperature} °C"))
        events.append(
            TimelineEvent(
                at=alert.raised_at,
                kind="alert",
                kind_label=gettext_lazy("Alert"),
                title=alert.get_kind_display(),
                facts=tuple(facts),
                url=alert.get_absolute_url(),
                order=1,
            )
        )
    return events
