"""The date engine: inclusive counting in China time, at day boundaries, month ends and
leap days."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from outpost.cases import dates

UTC = datetime.UTC
CHINA = ZoneInfo("Asia/Shanghai")
D = datetime.date


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def china(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=CHINA)


def test_a_15_day_detention_starting_on_a_day_ends_14_days_later():
    plan = dates.detention_plan(start=china(2020, 3, 11, 9, 0), days=15)
    assert (plan.starts_on, plan.ends_on) == (D(2020, 3, 11), D(2020, 3, 25))


def test_the_unlicensed_business_case_deferred_30_days_over_the_leap_day():
    # Decided 2020-02-10, deferred 30 days (02-10 … 03-10, through 02-29), then 15 days.
    plan = dates.detention_plan(start=china(2020, 2, 10, 15, 30), days=15, deferral_days=30)
    assert plan.deferral_from == D(2020, 2, 10)
    assert plan.deferral_until == D(2020, 3, 10)
    assert plan.starts_on == D(2020, 3, 11)
    assert plan.ends_on == D(2020, 3, 25)


def test_a_moment_at_2359_china_time_counts_on_that_china_day_not_the_utc_one():
    late = china(2020, 2, 29, 23, 59)  # 15:59 UTC the same day
    assert dates.china_day(late) == D(2020, 2, 29)
    assert dates.detention_plan(start=late, days=1).ends_on == D(2020, 2, 29)


def test_midnight_china_time_is_the_next_day_though_utc_is_still_the_day_before():
    moment = datetime.datetime(2020, 2, 29, 16, 0, tzinfo=UTC)  # 00:00 on 03-01 in Beijing
    assert dates.china_day(moment) == D(2020, 3, 1)
    assert dates.detention_plan(start=moment, days=2).ends_on == D(2020, 3, 2)
    one_minute_before = datetime.datetime(2020, 2, 29, 15, 59, tzinfo=UTC)
    assert dates.china_day(one_minute_before) == D(2020, 2, 29)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        dates.china_day(datetime.datetime(2020, 1, 1, 12, 0))


@pytest.mark.parametrize(
    ("start", "days", "last"),
    [
        (D(2020, 2, 28), 2, D(2020, 2, 29)),  # leap year
        (D(2024, 2, 28), 3, D(2024, 3, 1)),
        (D(2100, 2, 28), 2, D(2100, 3, 1)),  # 2100 is not a leap year
        (D(2021, 2, 28), 2, D(2021, 3, 1)),
        (D(2020, 1, 31), 1, D(2020, 1, 31)),
        (D(2020, 1, 31), 2, D(2020, 2, 1)),
        (D(2020, 4, 30), 2, D(2020, 5, 1)),
        (D(2020, 12, 31), 2, D(2021, 1, 1)),
        (D(2024, 2, 29), 366, D(2025, 2, 28)),
    ],
)
def test_last_day_counts_both_ends_across_month_ends_and_leap_days(start, days, last):
    assert dates.last_day(start, days) == last


def test_a_deferral_from_the_leap_day_in_2024():
    plan = dates.detention_plan(start=china(2024, 2, 29, 8, 0), days=10, deferral_days=1)
    assert plan.deferral_until == D(2024, 2, 29)
    assert (plan.starts_on, plan.ends_on) == (D(2024, 3, 1), D(2024, 3, 10))


def test_a_detention_over_the_end_of_february_2100_skips_a_29th():
    plan = dates.detention_plan(start=china(2100, 2, 27, 10, 0), days=3)
    assert plan.ends_on == D(2100, 3, 1)


@pytest.mark.parametrize("deferral_days", [0, -1, -30])
def test_a_deferral_that_would_end_before_it_starts_is_refused_naming_the_field(deferral_days):
    with pytest.raises(dates.DateRuleError) as caught:
        dates.detention_plan(start=china(2020, 2, 10, 9), days=15, deferral_days=deferral_days)
    assert caught.value.field == "deferral_days"
    assert "before it starts" in str(caught.value)


def test_a_deferral_given_by_an_end_before_its_start_is_refused():
    days = dates.deferral_until_to_days(D(2020, 3, 10), D(2020, 3, 1))
    with pytest.raises(dates.DateRuleError):
        dates.detention_plan(start=china(2020, 3, 10, 9), days=5, deferral_days=days)


def test_a_deferral_cannot_start_before_the_decision():
    with pytest.raises(dates.DateRuleError) as caught:
        dates.detention_plan(
            start=china(2020, 2, 10, 9), days=5, deferral_days=3, deferral_from=D(2020, 2, 9)
        )
    assert caught.value.field == "deferral_from"


@pytest.mark.parametrize("days", [0, 21])
def test_detention_days_out_of_the_law_are_refused(days):
    with pytest.raises(dates.DateRuleError):
        dates.detention_plan(start=china(2020, 2, 10, 9), days=days)


def test_a_fine_is_due_15_days_after_the_day_it_is_served():
    assert dates.fine_due(D(2020, 2, 14)) == D(2020, 2, 29)
    assert dates.fine_due(D(2021, 2, 14)) == D(2021, 3, 1)
    # Served at 23:30 in Beijing (15:30 UTC): the China day counts.
    assert dates.fine_due(datetime.datetime(2020, 2, 13, 16, 30, tzinfo=UTC)) == D(2020, 2, 29)


def test_a_case_is_handled_within_30_days_counting_its_first():
    assert dates.case_due(D(2020, 2, 1)) == D(2020, 3, 1)
    assert dates.case_due(D(2021, 2, 1)) == D(2021, 3, 2)


def test_stages_of_a_deferred_detention():
    plan = dates.detention_plan(start=china(2020, 2, 10, 9), days=15, deferral_days=30)
    assert plan.stage(D(2020, 2, 9)) == "pending"
    assert plan.stage(D(2020, 3, 10)) == "deferred"
    assert plan.stage(D(2020, 3, 11)) == "in_custody"
    assert plan.stage(D(2020, 3, 25)) == "in_custody"
    assert plan.stage(D(2020, 3, 26)) == "served"


moments = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1),
    max_value=datetime.datetime(2199, 12, 1),
    timezones=st.just(UTC),
)


@settings(deadline=None)
@given(start=moments, days=st.integers(1, 20), deferral=st.one_of(st.none(), st.integers(1, 366)))
def test_custody_lasts_exactly_its_days_and_follows_the_deferral(start, days, deferral):
    plan = dates.detention_plan(start=start, days=days, deferral_days=deferral)
    assert dates.days_between_inclusive(plan.starts_on, plan.ends_on) == days
    assert plan.decided_on == start.astimezone(CHINA).date()
    if deferral is None:
        assert plan.starts_on == plan.decided_on
    else:
        assert dates.days_between_inclusive(plan.deferral_from, plan.deferral_until) == deferral
        assert plan.starts_on == plan.deferral_until + datetime.timedelta(days=1)


@settings(deadline=None)
@given(moment=moments)
def test_the_china_day_is_the_utc_day_or_the_next_by_eight_hours(moment):
    day = dates.china_day(moment)
    assert day == (moment + datetime.timedelta(hours=8)).date()


@settings(deadline=None)
@given(start=st.dates(D(1900, 1, 1), D(2199, 1, 1)), days=st.integers(1, 5000))
def test_last_day_and_days_between_are_inverse(start, days):
    assert dates.days_between_inclusive(start, dates.last_day(start, days)) == days
