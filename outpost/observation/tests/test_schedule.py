"""When check-ins are due, and which check-in counts for which scheduled time."""

import datetime
import zoneinfo

from outpost.observation.services.schedule import slot_of, slot_window, slots_between
from outpost.observation.tests.factories import episode_in

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2020, 2, day, hour, minute, tzinfo=SHANGHAI)


def _episode(district, **values):
    values = {
        "start_date": datetime.date(2020, 2, 10),
        "planned_end_date": datetime.date(2020, 2, 11),
        **values,
    }
    return episode_in(district.grid_a1, **values)


def test_slots_are_the_check_in_times_of_the_episode_days(district):
    episode = _episode(district)
    assert slots_between(episode=episode, start=at(9, 0), end=at(13, 0)) == [
        at(10, 8),
        at(10, 18),
        at(11, 8),
        at(11, 18),
    ]


def test_slots_between_includes_the_start_and_leaves_out_the_end(district):
    episode = _episode(district)
    assert slots_between(episode=episode, start=at(10, 8), end=at(10, 18)) == [at(10, 8)]


def test_an_episode_checked_three_times_a_day_has_three_slots(district):
    episode = _episode(district, check_in_times=["08:00", "13:00", "18:00"])
    assert slots_between(episode=episode, start=at(10, 0), end=at(11, 0)) == [
        at(10, 8),
        at(10, 13),
        at(10, 18),
    ]


def test_an_episode_that_ended_early_has_no_slots_after_its_last_day(district):
    episode = _episode(
        district, status="ended", ended_on=datetime.date(2020, 2, 10), end_reason="moved"
    )
    assert slots_between(episode=episode, start=at(10, 0), end=at(12, 0)) == [
        at(10, 8),
        at(10, 18),
    ]


def test_a_slot_window_runs_from_two_hours_before_to_the_next_window(district):
    episode = _episode(district)
    assert slot_window(episode=episode, slot=at(10, 8)) == (at(10, 6), at(10, 16))
    assert slot_window(episode=episode, slot=at(10, 18)) == (at(10, 16), at(11, 6))


def test_close_slots_share_the_time_between_them(district):
    episode = _episode(district, check_in_times=["08:00", "09:00"])
    assert slot_window(episode=episode, slot=at(10, 9)) == (at(10, 8, 30), at(11, 6))


def test_a_late_or_early_check_in_counts_for_its_slot(district):
    episode = _episode(district)
    assert slot_of(episode=episode, at=at(10, 7)) == at(10, 8)
    assert slot_of(episode=episode, at=at(10, 11)) == at(10, 8)
    assert slot_of(episode=episode, at=at(10, 16, 30)) == at(10, 18)
    assert slot_of(episode=episode, at=at(11, 2)) == at(10, 18)
