"""The one date engine of enforcement cases (打击查处): every end date and deadline of a case
is computed here, in China time, by inclusive counting.

Inclusive counting: a period of N days that starts on day S covers S, S+1, …, S+N-1; its
last day is S+N-1 (a 15-day detention that starts on 2020-03-11 ends on 2020-03-25). A
moment (a custody start, a decision served) counts on its China-time day (Asia/Shanghai),
never on its UTC day: 2020-02-29 23:59 in Beijing is 15:59 UTC on the same day, 00:00 on
2020-03-01 in Beijing is 16:00 UTC on 2020-02-29.

Pure functions only (no database, no settings): a `DateRuleError` carries the field it is
about and a translatable message, which the services raise as a ValidationError.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

CHINA = ZoneInfo("Asia/Shanghai")

# Administrative detention (行政拘留): 1 to 15 days for one act, at most 20 days combined
# (治安管理处罚法 第十六条).
DETENTION_MAX_DAYS = 20
# A deferral of execution (暂缓执行) lasts at most a year here; longer is a typing error.
DEFERRAL_MAX_DAYS = 366
# A fine is paid within 15 days of the decision being served (行政处罚法 第六十七条); the
# day of service is not counted, so the period starts the next day.
FINE_PAYMENT_DAYS = 15
# A public-order case is handled within 30 days of its acceptance (治安管理处罚法 第九十九条).
CASE_HANDLING_DAYS = 30


class DateRuleError(ValueError):
    """A date rule refused its input: `field` names the input, `message` says why."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


def china_day(moment: datetime.datetime) -> datetime.date:
    """The China-time calendar day of an aware moment."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime has no China-time day")
    return moment.astimezone(CHINA).date()


def last_day(start: datetime.date, days: int) -> datetime.date:
    """The last day of a period of `days` days starting on `start`, both counted."""
    if days < 1:
        raise DateRuleError("days", _("A period lasts at least one day."))
    return start + datetime.timedelta(days=days - 1)


def days_between_inclusive(first: datetime.date, last: datetime.date) -> int:
    """How many days run from `first` to `last`, both counted (0 when `last` is earlier)."""
    return max((last - first).days + 1, 0)


@dataclass(frozen=True)
class DetentionPlan:
    """When an administrative detention runs: the deferral (暂缓执行) first when there is
    one, then the days in custody, each period counted inclusively."""

    days: int
    decided_on: datetime.date
    deferral_from: datetime.date | None
    deferral_until: datetime.date | None
    starts_on: datetime.date
    ends_on: datetime.date

    @property
    def deferred(self) -> bool:
        return self.deferral_from is not None

    def stage(self, today: datetime.date) -> str:
        """ "deferred", "in_custody", "served" or "pending" (before the decision day)."""
        if today < self.decided_on:
            return "pending"
        if self.deferred and today <= self.deferral_until:
            return "deferred"
        if today <= self.ends_on:
            return "in_custody"
        return "served"


def detention_plan(
    *,
    start: datetime.datetime,
    days: int,
    deferral_days: int | None = None,
    deferral_from: datetime.date | None = None,
) -> DetentionPlan:
    """Plan a detention of `days` days decided to start at `start` (a moment, counted on its
    China-time day). A deferral of `deferral_days` days runs from `deferral_from` (the
    start's day when not given); custody then begins the day after the deferral's last day.

    Refused: no days or more than the law allows, a deferral that would end before it
    starts (no days, or fewer), longer than a year, or starting before the decision."""
    if not 1 <= days <= DETENTION_MAX_DAYS:
        raise DateRuleError(
            "detention_days",
            _("Administrative detention lasts from 1 to %(max)d days.")
            % {"max": DETENTION_MAX_DAYS},
        )
    decided_on = china_day(start)
    if deferral_days is None and deferral_from is None:
        return DetentionPlan(days, decided_on, None, None, decided_on, last_day(decided_on, days))
    if deferral_days is None or deferral_days < 1:
        raise DateRuleError(
            "deferral_days",
            _(
                "The deferral would end before it starts: give it at least one day "
                "(a deferral of %(days)s days ends on the day before its first day)."
            )
            % {"days": 0 if deferral_days is None else deferral_days},
        )
    if deferral_days > DEFERRAL_MAX_DAYS:
        raise DateRuleError(
            "deferral_days",
            _("A deferral lasts at most %(max)d days.") % {"max": DEFERRAL_MAX_DAYS},
        )
    deferral_from = deferral_from or decided_on
    if deferral_from < decided_on:
        raise DateRuleError(
            "deferral_from", _("The deferral cannot start before the detention is decided.")
        )
    deferral_until = last_day(deferral_from, deferral_days)
    starts_on = deferral_until + datetime.timedelta(days=1)
    return DetentionPlan(
        days, decided_on, deferral_from, deferral_until, starts_on, last_day(starts_on, days)
    )


def deferral_until_to_days(deferral_from: datetime.date, deferral_until: datetime.date) -> int:
    """A deferral given by its last day, as its length (≤ 0 when it would end before it
    starts; `detention_plan` refuses that)."""
    return (deferral_until - deferral_from).days + 1


def fine_due(served: datetime.datetime | datetime.date) -> datetime.date:
    """The last day to pay a fine: 15 days counted from the day after the decision was
    served (a moment counts on its China-time day)."""
    day = china_day(served) if isinstance(served, datetime.datetime) else served
    return last_day(day + datetime.timedelta(days=1), FINE_PAYMENT_DAYS)


def case_due(accepted: datetime.date) -> datetime.date:
    """The last day to handle a case accepted on `accepted`: 30 days, that day counted."""
    return last_day(accepted, CASE_HANDLING_DAYS)
