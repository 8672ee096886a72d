"""When an episode's check-ins are due (上报时间表): the scheduled times ("slots") of an
episode and which check-ins count for which slot. Pure arithmetic on the episode's
`check_in_times` (local times of day in the station's time zone): no queries.

A check-in counts for a slot when it is taken inside the slot's window: from two hours
before the slot (or half-way from the previous slot, when slots are closer than four
hours) until the next slot's window opens. So a reading taken late still counts for the
slot it was late for, and one taken a little early counts for the coming slot.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from outpost.observation.models import Episode

EARLY_WINDOW = datetime.timedelta(hours=2)
ONE_DAY = datetime.timedelta(days=1)


def _times_of_day(episode: Episode) -> list[datetime.time]:
    return sorted(datetime.time.fromisoformat(value) for value in episode.check_in_times)


def _daily_slots(episode: Episode, first: datetime.date, last: datetime.date) -> list:
    """Every scheduled time from `first` to `last` (both included), ignoring the episode's
    own days: the windows of the first and last slots need their neighbours."""
    zone = timezone.get_default_timezone()
    times = _times_of_day(episode)
    slots = []
    day = first
    while day <= last:
        slots.extend(datetime.datetime.combine(day, t, tzinfo=zone) for t in times)
        day += ONE_DAY
    return slots


def _last_day(episode: Episode) -> datetime.date:
    if episode.ended_on is not None:
        return min(episode.ended_on, episode.planned_end_date)
    return episode.planned_end_date


def slots_between(*, episode: Episode, start: datetime.datetime, end: datetime.datetime) -> list:
    """The episode's scheduled check-in times in [start, end), on the episode's days only
    (start date to planned end, or to the day it ended if that was earlier)."""
    if not episode.check_in_times:
        return []
    first = max(timezone.localdate(start), episode.start_date)
    last = min(timezone.localdate(end), _last_day(episode))
    return [slot for slot in _daily_slots(episode, first, last) if start <= slot < end]


def expected_slots(*, episode: Episode, start: datetime.datetime, end: datetime.datetime) -> list:
    """The slots in [start, end) someone could report for: those of `slots_between` not
    before the episode was registered. The missed-check-in sweep alerts on these and the
    site daily report expects them, so the two count the same slots."""
    return [
        slot
        for slot in slots_between(episode=episode, start=start, end=end)
        if slot >= episode.created_at
    ]


def _window_start(episode: Episode, slot: datetime.datetime) -> datetime.datetime:
    day = timezone.localdate(slot)
    earlier = [s for s in _daily_slots(episode, day - ONE_DAY, day) if s < slot]
    half_gap = (slot - earlier[-1]) / 2
    return slot - min(EARLY_WINDOW, half_gap)


def slot_window(*, episode: Episode, slot: datetime.datetime) -> tuple:
    """[from, until) of the check-ins that count for `slot`."""
    day = timezone.localdate(slot)
    following = next(s for s in _daily_slots(episode, day, day + ONE_DAY) if s > slot)
    return _window_start(episode, slot), _window_start(episode, following)


def slot_of(*, episode: Episode, at: datetime.datetime) -> datetime.datetime | None:
    """The slot whose window holds a check-in taken `at` (ignoring the episode's days), or
    None when the episode has no schedule."""
    if not episode.check_in_times:
        return None
    day = timezone.localdate(at)
    candidates = _daily_slots(episode, day - ONE_DAY, day + ONE_DAY)
    return [slot for slot in candidates if _window_start(episode, slot) <= at][-1]
