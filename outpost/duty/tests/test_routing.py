"""Routing follows the roster: a fever alert at the hotel reaches the doctor and officer on
duty at that moment (not those off duty), the escalation reaches the leader on duty, the
enterprise notice's phone call goes to the officer on the platform's watch; with nobody
rostered the configured people get it, and the message says so. A fixed clock throughout."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.duty.choices import PostKind, RosterStatus
from outpost.duty.tests.factories import person_in, post_in, roster_in, shift_of, template_in
from outpost.notify.models import InboxMessage
from outpost.observation.choices import SiteStaffRole
from outpost.observation.models import Alert, SiteStaff
from outpost.observation.services.alerts import alerts_escalate
from outpost.observation.tests.factories import (
    IsolationSiteFactory,
    centralized_episode_in,
    fever_alert_at,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.date(2020, 2, 10)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2020, 2, day, hour, minute, tzinfo=CHINA)


@pytest.fixture
def hotel(district):
    """The isolation hotel with a 12-hour day/night roster for 10 February: doctor 甲 and
    officer 甲 by day (08:00–20:00), doctor 乙 by night; a nurse configured at the site."""
    site = IsolationSiteFactory(unit=district.station, name="隔离酒店")
    template = template_in(district.station, start=datetime.time(8), hours=12, per_day=2)
    post = post_in(
        district.station,
        kind=PostKind.ISOLATION_SITE,
        site=site,
        template=template,
        roles=(Role.MEDICAL_STAFF, Role.POLICE_OFFICER),
        name="隔离酒店驻点",
    )
    roster = roster_in(district.station, first=START, days=1, posts=[post])
    day_doctor = person_in(district.station, Role.MEDICAL_STAFF, "白班医生")
    night_doctor = person_in(district.station, Role.MEDICAL_STAFF, "夜班医生")
    day_officer = person_in(district.station, Role.POLICE_OFFICER, "白班民警")
    shift_of(day_doctor, post=post, roster=roster, starts_at=at(10, 8))
    shift_of(day_officer, post=post, roster=roster, starts_at=at(10, 8))
    shift_of(night_doctor, post=post, roster=roster, starts_at=at(10, 20))
    nurse = staff_user(role=Role.MEDICAL_STAFF, unit=district.station, username="nurse")
    SiteStaff.objects.create(site=site, user=nurse, role=SiteStaffRole.MEDICAL, on_duty_from=START)
    episode = centralized_episode_in(
        district.grid_a1, site=site, start_date=START, planned_end_date=datetime.date(2020, 2, 23)
    )
    return {
        "site": site,
        "post": post,
        "roster": roster,
        "episode": episode,
        "day_doctor": day_doctor,
        "night_doctor": night_doctor,
        "day_officer": day_officer,
        "nurse": nurse,
    }


def _told(alert):
    return {m.recipient for m in InboxMessage.objects.filter(url=alert.get_absolute_url())}


def test_a_fever_alert_before_the_change_reaches_the_day_doctor_and_officer(hotel):
    alert = fever_alert_at(hotel["episode"], now=at(10, 19, 59))
    told = _told(alert)
    assert {hotel["day_doctor"], hotel["day_officer"]} <= told
    assert hotel["night_doctor"] not in told
    assert hotel["nurse"] not in told


def test_a_fever_alert_after_the_change_reaches_the_night_doctor_only(hotel):
    alert = fever_alert_at(hotel["episode"], now=at(10, 20, 0))
    told = _told(alert)
    assert hotel["night_doctor"] in told
    assert hotel["day_doctor"] not in told
    assert hotel["day_officer"] not in told


def test_a_draft_roster_routes_nothing(hotel):
    hotel["roster"].status = RosterStatus.DRAFT
    hotel["roster"].save(update_fields=["status"])
    alert = fever_alert_at(hotel["episode"], now=at(10, 12))
    assert _told(alert) >= {hotel["nurse"]}
    assert hotel["day_doctor"] not in _told(alert)


def test_with_nobody_rostered_the_configured_staff_are_told_with_a_warning(hotel):
    alert = fever_alert_at(hotel["episode"], now=at(11, 9))  # after the roster's day
    message = InboxMessage.objects.get(url=alert.get_absolute_url(), recipient=hotel["nurse"])
    # In the nurse's language (Chinese by default): nobody rostered, sent to the configured.
    assert "隔离酒店 的发热预警无人排班值守" in message.body
    assert hotel["day_doctor"] not in _told(alert)


def test_the_escalation_reaches_the_leader_on_duty_not_the_one_off_duty(hotel, district):
    desk = post_in(
        district.station,
        kind=PostKind.DUTY_DESK,
        roles=(Role.STATION_LEADER,),
        template=template_in(district.station, start=datetime.time(8), hours=24),
        name="所领导带班",
    )
    roster = roster_in(district.station, first=START, days=2, posts=[desk])
    on_duty = person_in(district.station, Role.STATION_LEADER, "带班所长")
    off_duty = person_in(district.station, Role.STATION_LEADER, "休息所长")
    shift_of(on_duty, post=desk, roster=roster, starts_at=at(10, 8), hours=24)
    shift_of(off_duty, post=desk, roster=roster, starts_at=at(11, 8), hours=24)
    alert = fever_alert_at(hotel["episode"], now=at(10, 10))
    alerts_escalate(now=at(10, 11))
    assert Alert.objects.get(pk=alert.pk).escalated_at == at(10, 11)
    told = _told(alert)
    assert on_duty in told and off_duty not in told


def test_without_a_leader_rostered_every_leader_over_the_unit_hears_with_a_warning(hotel, district):
    leader = person_in(district.station, Role.STATION_LEADER, "所长")
    alert = fever_alert_at(hotel["episode"], now=at(10, 10))
    alerts_escalate(now=at(10, 11))
    message = InboxMessage.objects.get(recipient=leader, url=alert.get_absolute_url())
    assert "无人排班值守" in message.body


# ---------------------------------------------------------------------------- notices


def _receipt_at_sms_step(district, author, now):
    from outpost.enterprises.notices.choices import EscalationLevel
    from outpost.enterprises.notices.services import notice_push
    from outpost.enterprises.tests.factories import EnterpriseFactory

    firm = EnterpriseFactory(unit=district.grid_a1, name="甲一食品")
    notice = notice_push(
        acting_user=author,
        title="关于企业复工疫情防控的通知",
        body="各企业：复工前须完成员工健康登记。",
        source_authority="市疫情防控指挥部",
        deadline=timezone.now() + datetime.timedelta(hours=1),
        enterprises=[firm],
        units=[],
    )
    type(notice).objects.filter(pk=notice.pk).update(deadline=now)  # pushed on 10 February
    receipt = notice.receipts.get()
    receipt.escalation_level = EscalationLevel.SMS
    receipt.escalated_at = now
    receipt.save(update_fields=["escalation_level", "escalated_at"])
    return receipt


def test_the_notice_call_goes_to_the_officer_on_the_platform_watch(district, officer_a):
    from outpost.enterprises.notices.services import STEP_INTERVAL, notices_escalate

    watch = post_in(
        district.station,
        kind=PostKind.PLATFORM_WATCH,
        template=template_in(district.station, start=datetime.time(8), hours=24),
        name="企业平台值守",
    )
    roster = roster_in(district.station, first=START, days=2, posts=[watch])
    watcher = person_in(district.station, Role.POLICE_OFFICER, "值守民警")
    shift_of(watcher, post=watch, roster=roster, starts_at=at(10, 8), hours=24)
    receipt = _receipt_at_sms_step(district, officer_a, at(10, 6))
    notices_escalate(now=at(10, 6) + STEP_INTERVAL + datetime.timedelta(hours=1))
    receipt.refresh_from_db()
    assert receipt.call_officer == watcher
    assert not receipt.escalations.get().detail.count("Nobody")


def test_without_a_watch_rostered_the_call_goes_to_the_community_officer_with_a_warning(
    district, officer_a
):
    from outpost.enterprises.notices.services import STEP_INTERVAL, notices_escalate

    receipt = _receipt_at_sms_step(district, officer_a, at(10, 6))
    notices_escalate(now=at(10, 6) + STEP_INTERVAL + datetime.timedelta(hours=1))
    receipt.refresh_from_db()
    assert receipt.call_officer == officer_a
    assert "Nobody is on duty for the enterprise platform's watch" in (
        receipt.escalations.get().detail
    )
