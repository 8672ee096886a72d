"""The roster's rules (排班规则) and its builder, on plain values so that a roster of
thousands of shifts is built and checked in memory in one pass (see `bench/duty_roster.py`).

`slots_of` gives a post's shifts over a period from its template (China time); `plan`
fills them by rotation; `check` lists every broken rule, each naming the person, the post
and the time.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from outpost.duty.choices import ViolationKind

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class PostInfo:
    id: int
    name: str
    unit_path: str
    roles: frozenset[str]
    min_staff: int
    party_only: bool
    start_time: datetime.time
    hours: int
    shifts_per_day: int
    working_days_only: bool


@dataclass(frozen=True)
class PersonInfo:
    id: int
    name: str
    unit_path: str
    roles: frozenset[str]
    party: bool
    # (first day, last day) of each leave held
    leave: tuple[tuple[datetime.date, datetime.date], ...] = ()


@dataclass(frozen=True)
class ShiftRow:
    post_id: int
    user_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    id: int | None = None


@dataclass(frozen=True)
class Violation:
    kind: str
    message: str
    post_id: int | None
    user_id: int | None
    at: datetime.datetime
    shift_id: int | None = None


@dataclass
class Setup:
    posts: dict[int, PostInfo]
    people: dict[int, PersonInfo]
    pairs: list[tuple[int, int, int]] = field(default_factory=list)  # (post, first, second)
    min_rest: datetime.timedelta = datetime.timedelta(hours=12)


def when(moment: datetime.datetime) -> str:
    return f"{moment.astimezone(CHINA):%Y-%m-%d %H:%M}"


def span(start: datetime.datetime, end: datetime.datetime) -> str:
    """ "2026-12-14 08:00–20:00", or "2026-12-14 20:00–12-15 08:00" over midnight."""
    local_start, local_end = start.astimezone(CHINA), end.astimezone(CHINA)
    if local_end.date() == local_start.date():
        return f"{when(start)}–{local_end:%H:%M}"
    return f"{when(start)}–{local_end:%m-%d %H:%M}"


def slots_of(post: PostInfo, first: datetime.date, last: datetime.date):
    """The post's shifts from `first` to `last` (China dates): (start, end) pairs."""
    slots = []
    day = first
    one_day = datetime.timedelta(days=1)
    length = datetime.timedelta(hours=post.hours)
    while day <= last:
        if not (post.working_days_only and day.weekday() >= 5):
            start = datetime.datetime.combine(day, post.start_time, tzinfo=CHINA)
            for _index in range(post.shifts_per_day):
                slots.append((start, start + length))
                start += length
        day += one_day
    return slots


def qualified(person: PersonInfo, post: PostInfo) -> bool:
    return (
        bool(person.roles & post.roles)
        and person.unit_path.startswith(post.unit_path)
        and (person.party or not post.party_only)
    )


def plan(setup: Setup, first: datetime.date, last: datetime.date) -> list[ShiftRow]:
    """Fill every post's shifts by rotating its qualified staff, keeping each person's
    minimum rest and never two shifts at once. Leave and pairs are left to `check`, for the
    leader to settle."""
    slots = sorted(
        (start, end, post.id)
        for post in setup.posts.values()
        for start, end in slots_of(post, first, last)
    )
    people = sorted(setup.people.values(), key=lambda person: person.id)
    candidates = {
        post.id: [p.id for p in people if qualified(p, post)] for post in setup.posts.values()
    }
    pointer: dict[int, int] = defaultdict(int)
    free_from: dict[int, datetime.datetime] = {}
    rows = []
    for start, end, post_id in slots:
        pool = candidates[post_id]
        need = setup.posts[post_id].min_staff
        taken = 0
        for step in range(len(pool)):
            if taken == need:
                break
            index = (pointer[post_id] + step) % len(pool)
            user_id = pool[index]
            ready = free_from.get(user_id)
            if ready is not None and ready > start:
                continue
            rows.append(ShiftRow(post_id, user_id, start, end))
            free_from[user_id] = end + setup.min_rest
            taken += 1
            pointer[post_id] = index + 1
    return rows


def _staffing(setup, shifts, first, last):
    by_slot: dict[tuple[int, datetime.datetime], int] = defaultdict(int)
    for row in shifts:
        by_slot[(row.post_id, row.starts_at)] += 1
    for post in setup.posts.values():
        for start, end in slots_of(post, first, last):
            count = by_slot.get((post.id, start), 0)
            if count < post.min_staff:
                message = _("%(post)s, %(time)s: %(count)d of %(needed)d staff on duty.") % {
                    "post": post.name,
                    "time": span(start, end),
                    "count": count,
                    "needed": post.min_staff,
                }
                yield Violation(ViolationKind.UNDERSTAFFED, message, post.id, None, start)


def _person_words(setup, row) -> dict:
    person = setup.people.get(row.user_id)
    post = setup.posts.get(row.post_id)
    return {
        "person": person.name if person else row.user_id,
        "post": post.name if post else row.post_id,
        "time": span(row.starts_at, row.ends_at),
    }


def _personal(setup, shifts):
    by_user: dict[int, list[ShiftRow]] = defaultdict(list)
    for row in shifts:
        by_user[row.user_id].append(row)
    for user_id, rows in by_user.items():
        rows.sort(key=lambda row: row.starts_at)
        person = setup.people.get(user_id)
        previous = None
        for row in rows:
            words = _person_words(setup, row)
            yield from _fitness(setup, person, row, words)
            if previous is not None:
                if row.starts_at < previous.ends_at:
                    message = _(
                        "%(person)s has two shifts at once: %(post)s %(time)s overlaps "
                        "%(other)s %(other_time)s."
                    ) % {
                        **words,
                        "other": setup.posts[previous.post_id].name,
                        "other_time": span(previous.starts_at, previous.ends_at),
                    }
                    yield Violation(
                        ViolationKind.OVERLAP, message, row.post_id, user_id, row.starts_at, row.id
                    )
                elif row.starts_at - previous.ends_at < setup.min_rest:
                    hours = (row.starts_at - previous.ends_at).total_seconds() / 3600
                    message = _(
                        "%(person)s rests only %(hours).0f h before %(post)s %(time)s "
                        "(at least %(rest).0f h)."
                    ) % {
                        **words,
                        "hours": hours,
                        "rest": setup.min_rest.total_seconds() / 3600,
                    }
                    yield Violation(
                        ViolationKind.REST, message, row.post_id, user_id, row.starts_at, row.id
                    )
            if previous is None or row.ends_at > previous.ends_at:
                previous = row


def _fitness(setup, person, row, words):
    post = setup.posts[row.post_id]
    if person is None or not (
        person.roles & post.roles and person.unit_path.startswith(post.unit_path)
    ):
        message = _("%(person)s is not qualified for %(post)s (%(time)s).") % words
        yield Violation(
            ViolationKind.QUALIFIED, message, post.id, row.user_id, row.starts_at, row.id
        )
        return
    if post.party_only and not person.party:
        message = (
            _("%(post)s is a party-member post: %(person)s (%(time)s) is not recorded as one.")
            % words
        )
        yield Violation(ViolationKind.PARTY, message, post.id, row.user_id, row.starts_at, row.id)
    first = row.starts_at.astimezone(CHINA).date()
    last = (row.ends_at - datetime.timedelta(seconds=1)).astimezone(CHINA).date()
    for leave_first, leave_last in person.leave:
        if leave_first <= last and first <= leave_last:
            message = _("%(person)s is on leave %(first)s – %(last)s during %(post)s %(time)s.") % {
                **words,
                "first": leave_first,
                "last": leave_last,
            }
            yield Violation(
                ViolationKind.LEAVE, message, post.id, row.user_id, row.starts_at, row.id
            )
            break


def _pairs(setup, shifts, first, last):
    on_day: dict[tuple[int, datetime.date], set[int]] = defaultdict(set)
    for row in shifts:
        on_day[(row.post_id, row.starts_at.astimezone(CHINA).date())].add(row.user_id)
    for post_id, first_id, second_id in setup.pairs:
        post = setup.posts.get(post_id)
        if post is None:
            continue
        days = sorted(
            {start.astimezone(CHINA).date() for start, _end in slots_of(post, first, last)}
        )
        for day in days:
            present = on_day.get((post_id, day), set())
            if first_id not in present and second_id not in present:
                message = _("%(post)s, %(day)s: neither %(first)s nor %(second)s is on duty.") % {
                    "post": post.name,
                    "day": day,
                    "first": setup.people[first_id].name if first_id in setup.people else first_id,
                    "second": setup.people[second_id].name
                    if second_id in setup.people
                    else second_id,
                }
                at = datetime.datetime.combine(day, post.start_time, tzinfo=CHINA)
                yield Violation(ViolationKind.PAIR, message, post_id, first_id, at)


def check(
    setup: Setup, shifts: list[ShiftRow], first: datetime.date, last: datetime.date
) -> list[Violation]:
    """Every rule the shifts break over the period, in time order."""
    found = [
        *_staffing(setup, shifts, first, last),
        *_personal(setup, shifts),
        *_pairs(setup, shifts, first, last),
    ]
    found.sort(key=lambda violation: (violation.at, violation.kind))
    return found
