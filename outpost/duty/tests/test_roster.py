"""Rosters: built from templates by rotation, checked against the rules (each violation
naming person, post and time), published only without violations or with a leader's
reason; shifts changed by hand refused when they break the bad-input rules, nothing
half-saved."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from outpost.core.choices import Role
from outpost.duty import selectors
from outpost.duty.choices import LeaveStatus, PostKind, RosterStatus, ViolationKind
from outpost.duty.models import PairRule, PartyMember, Roster, Shift
from outpost.duty.services import roster_build, roster_publish, shift_add, shift_assign
from outpost.duty.tests.factories import leave_in, person_in, post_in, template_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = datetime.date(2026, 12, 14)


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, tzinfo=CHINA)


@pytest.fixture
def leader(district):
    return person_in(district.station, Role.STATION_LEADER, "所长")


@pytest.fixture
def desk(district):
    """The duty desk: one 24-hour shift a day from 08:00, one officer each."""
    return post_in(district.station, kind=PostKind.DUTY_DESK, name="值班台")


@pytest.fixture
def officers(district):
    return [person_in(district.community_a, Role.POLICE_OFFICER, f"民警{i}") for i in (1, 2, 3)]


def _build(leader, posts, *, days=7, rest=24):
    return roster_build(
        acting_user=leader,
        unit=posts[0].unit,
        title="下周排班",
        starts_on=MONDAY,
        ends_on=MONDAY + datetime.timedelta(days=days - 1),
        posts=posts,
        min_rest_hours=rest,
    )


def test_a_24_hour_post_rotates_three_officers_24_on_48_off(leader, desk, officers):
    roster = _build(leader, [desk], rest=48)
    shifts = list(roster.shifts.order_by("starts_at"))
    assert len(shifts) == 7
    assert [s.user for s in shifts[:6]] == officers + officers
    assert shifts[0].starts_at == at(14, 8) and shifts[0].ends_at == at(15, 8)
    assert selectors.roster_violations(roster) == []


def test_a_12_hour_day_night_post_has_two_shifts_a_day(leader, district, officers):
    template = template_in(district.station, start=datetime.time(8), hours=12, per_day=2)
    post = post_in(district.station, template=template, name="巡逻", kind=PostKind.PATROL)
    roster = _build(leader, [post], days=2, rest=12)
    assert [(s.starts_at, s.ends_at) for s in roster.shifts.order_by("starts_at")] == [
        (at(14, 8), at(14, 20)),
        (at(14, 20), at(15, 8)),
        (at(15, 8), at(15, 20)),
        (at(15, 20), at(16, 8)),
    ]


def test_office_hours_skip_the_weekend(leader, district, officers):
    template = template_in(
        district.station, start=datetime.time(8, 30), hours=9, working_days_only=True
    )
    post = post_in(district.station, template=template, name="内勤")
    roster = _build(leader, [post])
    assert roster.shifts.count() == 5


def test_a_party_member_post_is_filled_by_party_members_only(leader, district, officers):
    PartyMember.objects.create(user=officers[1], unit=officers[1].staff_profile.unit)
    pioneer = post_in(district.station, kind=PostKind.PIONEER, party=True, name="党员先锋岗")
    roster = _build(leader, [pioneer], days=3, rest=0)
    assert {s.user for s in roster.shifts.all()} == {officers[1]}


def test_too_few_staff_is_a_violation_naming_post_and_time(leader, district, officers):
    post = post_in(district.station, min_staff=2, name="隔离点")
    roster = _build(leader, [post], days=1)
    assert selectors.roster_violations(roster) == []
    post.min_staff = 4
    post.save(update_fields=["min_staff"])
    (violation,) = selectors.roster_violations(roster)
    assert violation.kind == ViolationKind.UNDERSTAFFED
    assert violation.message == "隔离点, 2026-12-14 08:00–12-15 08:00: 2 of 4 staff on duty."


def test_leave_and_rest_and_pairs_are_violations_naming_person_post_and_time(
    leader, desk, officers
):
    leave_in(None, user=officers[0], first=MONDAY, days=1)
    PairRule.objects.create(post=desk, first=officers[1], second=officers[2])
    roster = _build(leader, [desk], days=3, rest=48)
    messages = [v.message for v in selectors.roster_violations(roster)]
    assert (
        "民警1 is on leave 2026-12-14 – 2026-12-14 during 值班台 2026-12-14 08:00–12-15 08:00."
        in (messages)
    )
    assert "值班台, 2026-12-14: neither 民警2 nor 民警3 is on duty." in messages
    third_day = roster.shifts.get(starts_at=at(16, 8))
    shift_assign(acting_user=leader, shift=third_day, user=officers[0])
    messages = [v.message for v in selectors.roster_violations(roster)]
    assert (
        "民警1 rests only 24 h before 值班台 2026-12-16 08:00–12-17 08:00 (at least 48 h)."
        in messages
    )


def test_publishing_with_violations_is_refused_without_a_reason(leader, desk, officers):
    leave_in(None, user=officers[0], first=MONDAY, days=1)
    roster = _build(leader, [desk], rest=48)
    with pytest.raises(ValidationError) as caught:
        roster_publish(acting_user=leader, roster=roster)
    lines = caught.value.message_dict["reason"]
    assert lines[0].startswith("The roster breaks 1 rule(s)")
    assert "民警1 is on leave" in lines[1]
    assert Roster.objects.get(pk=roster.pk).status == RosterStatus.DRAFT
    roster_publish(acting_user=leader, roster=roster, override_reason="民警1休假已协调")
    roster.refresh_from_db()
    assert (roster.status, roster.override_reason) == (RosterStatus.PUBLISHED, "民警1休假已协调")
    assert roster.history.latest().history_change_reason == "民警1休假已协调"


def test_only_a_leader_publishes(desk, officers, leader):
    roster = _build(leader, [desk], rest=48)
    with pytest.raises(PermissionDenied):
        roster_publish(acting_user=officers[0], roster=roster, override_reason="x")


def test_a_post_nobody_may_fill_is_refused_and_nothing_is_saved(leader, district, officers):
    medical = post_in(district.station, roles=(Role.MEDICAL_STAFF,), name="医护岗")
    with pytest.raises(ValidationError) as caught:
        _build(leader, [medical])
    assert caught.value.message_dict["posts"] == [
        "Nobody may fill 医护岗: its shifts from 2026-12-14 08:00–12-15 08:00 would stay empty. "
        "Give its roles to staff under 哈尔滨路派出所 or leave it out."
    ]
    assert not Roster.objects.exists()


def test_a_shift_ending_before_it_starts_is_refused_naming_person_post_and_time(
    leader, desk, officers
):
    roster = _build(leader, [desk], rest=48)
    count = Shift.objects.count()
    with pytest.raises(ValidationError) as caught:
        shift_add(
            acting_user=leader,
            roster=roster,
            post=desk,
            user=officers[0],
            starts_at=at(15, 20),
            ends_at=at(15, 8),
        )
    assert caught.value.message_dict["ends_at"] == [
        "民警1's shift at 值班台 ends (2026-12-15 08:00) before it starts (2026-12-15 20:00)."
    ]
    assert Shift.objects.count() == count


def test_overlapping_shifts_for_one_person_are_refused(leader, desk, officers):
    roster = _build(leader, [desk], rest=48)
    second_day = roster.shifts.get(starts_at=at(15, 8))  # 民警2
    with pytest.raises(ValidationError) as caught:
        shift_add(
            acting_user=leader,
            roster=roster,
            post=desk,
            user=officers[0],
            starts_at=at(14, 20),
            ends_at=at(15, 2),
        )
    assert caught.value.message_dict["user"] == [
        "民警1 already has a shift then: 值班台 2026-12-14 08:00–12-15 08:00 overlaps "
        "值班台 2026-12-14 20:00–12-15 02:00."
    ]
    shift_add(  # 民警1 also covers two hours of the desk on the 15th
        acting_user=leader,
        roster=roster,
        post=desk,
        user=officers[0],
        starts_at=at(15, 10),
        ends_at=at(15, 12),
    )
    with pytest.raises(ValidationError) as caught:
        shift_assign(acting_user=leader, shift=second_day, user=officers[0])
    assert caught.value.message_dict["user"] == [
        "民警1 already has a shift then: 值班台 2026-12-15 10:00–12:00 overlaps "
        "值班台 2026-12-15 08:00–12-16 08:00."
    ]
    assert Shift.objects.get(pk=second_day.pk).user == officers[1]


def test_a_person_not_qualified_cannot_take_a_shift(leader, desk, officers, district):
    roster = _build(leader, [desk], rest=48)
    nurse = person_in(district.station, Role.MEDICAL_STAFF, "护士")
    shift = roster.shifts.first()
    with pytest.raises(ValidationError) as caught:
        shift_assign(acting_user=leader, shift=shift, user=nurse)
    assert caught.value.message_dict["user"] == [
        "护士 may not fill 值班台 (2026-12-14 08:00–12-15 08:00)."
    ]
    shift.refresh_from_db()
    assert shift.user == officers[0]


def test_the_builder_and_checker_take_leave_from_the_records(leader, desk, officers):
    leave_in(None, user=officers[2], first=MONDAY, days=7, status=LeaveStatus.REFUSED)
    roster = _build(leader, [desk], rest=48)
    assert selectors.roster_violations(roster) == []  # refused leave is no leave
