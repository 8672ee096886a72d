"""A person's story (人员时间线): what happened to one resident or key person, newest first.

The resident's page lives in the registry, below the apps that hold most of the story
(screening, key persons, dispatch, observation), so it cannot ask them itself. Each app
registers a timeline source in its ``AppConfig.ready()``; a source is a callable
``source(*, user, resident=None, key_person=None)`` returning the events of that person
that the user may see (it reads only through scoped querysets). Exactly one of `resident`
and `key_person` is given: the resident when the user may see the resident (the whole
story, every key-person record of that resident included), else the key person alone.

An event carries text already masked or free of personal numbers: a page shows it as it is
and never adds a full number, nor a birth date next to a masked ID.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.functional import Promise

Label = str | Promise


@dataclass(frozen=True)
class TimelineEvent:
    """One line of the story. `at` is an aware moment (a day-only event is set at the
    start of its day in China time, with `day_only`); `kind` a stable code for styling and
    tests; `facts` short (label, value) pairs; `chart` trusted SVG markup made by the
    server (a temperature chart), or ""; `url` a page the user may open, or ""."""

    at: datetime.datetime
    kind: str
    kind_label: Label
    title: str
    facts: tuple[tuple[Label, str], ...] = ()
    url: str = ""
    chart: str = ""
    day_only: bool = False
    # Sorts events of the same moment: later steps of one record after earlier ones.
    order: int = field(default=0, compare=False)


TimelineSource = Callable[..., list[TimelineEvent]]

_SOURCES: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource) -> None:
    """Add an app's source of timeline events. Call from ``AppConfig.ready()``."""
    if source not in _SOURCES:  # ready() may run twice in tests
        _SOURCES.append(source)


def day_moment(day: datetime.date) -> datetime.datetime:
    """The start of `day` in China time, for events that only have a date."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def person_timeline(*, user, resident=None, key_person=None) -> list[TimelineEvent]:
    """Every registered source's events of the person, newest first."""
    if (resident is None) == (key_person is None):
        raise ValueError("give either a resident or a key person")
    events: list[TimelineEvent] = []
    for source in _SOURCES:
        events.extend(source(user=user, resident=resident, key_person=key_person))
    return sorted(events, key=lambda event: (event.at, event.order), reverse=True)
