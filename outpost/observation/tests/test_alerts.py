"""Fever and missed-check-in alerts: who hears of them, how they are handled, when they
escalate, and the reminders sent before a check-in counts as missed. Time is a controlled
clock: every call is given its `now`."""

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from outpost.core.choices import Role, UnitKind
from outpost.core.tests.factories import UnitFactory, staff_user
from outpost.keypersons.models import TeamRole
from outpost.keypersons.tests.factories import TeamMemberFactory
from outpost.notify.choices import DeliveryStatus
from outpost.notify.models import InboxMessage, OutboundMessage
from outpost.observation.choices import (
    AlertKind,
    AlertOutcome,
    AlertStatus,
    CheckInSource,
    SiteStaffRole,
)
from outpost.observation.models import Alert, Episode, ReminderSent, SelfReportLink, SiteStaff
from outpost.observation.services.alerts import (
    alert_acknowledge,
    alert_resolve,
    alerts_escalate,
    missed_check_ins_sweep,
    reminders_send,
)
from outpost.observation.services.checkins import check_in_record
from outpost.observation.tests.factories import (
    CheckInFactory,
    IsolationSiteFactory,
    centralized_episode_in,
    episode_registered,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.date(2020, 2, 10)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2020, 2, day, hour, minute, tzinfo=SHANGHAI)


def minutes(n: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def _member(episode, worker, role: str = "grid", **values):
    return TeamMemberFactory(
        key_person=episode.key_person, worker=worker, role=TeamRole.objects.get(code=role), **values
    )


def _episode(district, **values):
    """Home isolation from 10 to 12 February, registered the evening before."""
    values = {"planned_end_date": datetime.date(2020, 2, 12), **values}
    return episode_registered(district.grid_a1, start_date=START, at=at(9, 20), **values)


def _fever(episode, *, user, now=None, temperature="38.1", **values):
    check_in, _created = check_in_record(
        episode=episode,
        temperature=temperature,
        source=CheckInSource.STAFF,
        acting_user=user,
        now=now or at(10, 8),
        **values,
    )
    return Alert.objects.get(check_in=check_in)


@pytest.fixture
def site(district):
    return IsolationSiteFactory(unit=district.station)


@pytest.fixture
def team(district):
    """A grid worker with a phone and a police officer without one, both of community A."""
    return [
        staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, phone="13900000001"),
        staff_user(role=Role.POLICE_OFFICER, unit=district.community_a, username="police_a"),
    ]


def _staff_team(episode, team):
    _member(episode, team[0], "grid")
    _member(episode, team[1], "police")


# ---------------------------------------------------------------------------- fever alert


def test_a_fever_alert_reaches_the_team_and_the_medical_staff_on_duty(district, site, team):
    episode = centralized_episode_in(
        district.grid_a1, site=site, start_date=START, planned_end_date=datetime.date(2020, 2, 23)
    )
    _staff_team(episode, team)
    nurse = staff_user(role=Role.MEDICAL_STAFF, unit=district.station, phone="13900000003")
    SiteStaff.objects.create(site=site, user=nurse, role=SiteStaffRole.MEDICAL, on_duty_from=START)
    alert = _fever(episode, user=team[0])

    inbox = InboxMessage.objects.filter(kind="alert")
    assert {m.recipient for m in inbox} == {team[0], team[1], nurse}
    assert {m.url for m in inbox} == {alert.get_absolute_url()}
    assert sorted(OutboundMessage.objects.values_list("address", flat=True)) == [
        "13900000001",
        "13900000003",
    ]


def test_a_team_member_whose_membership_ended_hears_nothing(district, team):
    episode = _episode(district)
    _member(episode, team[0], "grid")
    former = staff_user(
        role=Role.GRID_WORKER, unit=district.grid_a1, username="former", phone="13900000009"
    )
    _member(episode, former, "grid", ended_at=at(9, 12))
    _fever(episode, user=team[0])
    assert not InboxMessage.objects.filter(recipient=former).exists()
    assert not OutboundMessage.objects.filter(address="13900000009").exists()


def test_medical_staff_off_duty_or_at_another_site_hear_nothing(district, site, team):
    episode = centralized_episode_in(
        district.grid_a1, site=site, start_date=START, planned_end_date=datetime.date(2020, 2, 23)
    )
    _staff_team(episode, team)
    gone = staff_user(role=Role.MEDICAL_STAFF, unit=district.station, username="gone")
    SiteStaff.objects.create(
        site=site, user=gone, role=SiteStaffRole.MEDICAL, on_duty_from=START, on_duty_until=START
    )
    elsewhere = staff_user(role=Role.MEDICAL_STAFF, unit=district.station, username="elsewhere")
    SiteStaff.objects.create(
        site=IsolationSiteFactory(unit=district.station),
        user=elsewhere,
        role=SiteStaffRole.MEDICAL,
        on_duty_from=START,
    )
    _fever(episode, user=team[0], now=at(11, 8))
    assert set(InboxMessage.objects.values_list("recipient__username", flat=True)) == {
        team[0].username,
        team[1].username,
    }


def test_raising_a_fever_alert_takes_a_fixed_handful_of_queries(
    district, site, team, django_assert_max_num_queries
):
    episode = centralized_episode_in(
        district.grid_a1, site=site, start_date=START, planned_end_date=datetime.date(2020, 2, 23)
    )
    _staff_team(episode, team)
    _fever(episode, user=team[0])  # warms the policy row and the permission caches
    with django_assert_max_num_queries(25):
        _fever(episode, user=team[0], now=at(10, 9))


# ---------------------------------------------------------------------------- handling


@pytest.mark.usefixtures("english")
def test_acknowledge_then_resolve_as_fever_clinic_needs_place_and_time(district, team):
    episode = _episode(district)
    _staff_team(episode, team)
    alert = _fever(episode, user=team[0])
    alert = alert_acknowledge(acting_user=team[1], alert=alert, now=at(10, 8, 10))
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, team[1])

    with pytest.raises(ValidationError) as caught:
        alert_resolve(
            acting_user=team[1], alert=alert, outcome=AlertOutcome.FEVER_CLINIC, now=at(10, 9)
        )
    assert caught.value.message_dict == {
        "transfer_place": ["Enter the fever clinic the person was taken to."],
        "transferred_at": ["Enter when the person was transferred."],
    }
    alert = alert_resolve(
        acting_user=team[1],
        alert=alert,
        outcome=AlertOutcome.FEVER_CLINIC,
        transfer_place="市第六医院发热门诊",
        transferred_at=at(10, 8, 50),
        now=at(10, 9),
    )
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.transfer_place, alert.resolved_by) == (
        AlertStatus.RESOLVED,
        AlertOutcome.FEVER_CLINIC,
        "市第六医院发热门诊",
        team[1],
    )


@pytest.mark.usefixtures("english")
def test_an_alert_is_acknowledged_once(district, team):
    episode = _episode(district)
    _staff_team(episode, team)
    alert = _fever(episode, user=team[0])
    alert_acknowledge(acting_user=team[0], alert=alert, now=at(10, 8, 5))
    with pytest.raises(ValidationError) as caught:
        alert_acknowledge(acting_user=team[1], alert=alert, now=at(10, 8, 6))
    assert "already acknowledged" in caught.value.message_dict["status"][0]


def test_resolving_an_open_alert_acknowledges_it_on_the_way(district, team):
    episode = _episode(district)
    alert = _fever(episode, user=team[0])
    alert = alert_resolve(
        acting_user=team[0], alert=alert, outcome=AlertOutcome.RETEST_NORMAL, now=at(10, 9)
    )
    assert (alert.acknowledged_by, alert.acknowledged_at) == (team[0], at(10, 9))


def test_an_outcome_that_does_not_fit_the_alert_is_refused(district, team):
    episode = _episode(district)
    alert = _fever(episode, user=team[0])
    with pytest.raises(ValidationError) as caught:
        alert_resolve(acting_user=team[0], alert=alert, outcome=AlertOutcome.REPORTED_LATE)
    assert list(caught.value.message_dict) == ["outcome"]
    assert Alert.objects.get().status == AlertStatus.OPEN


def test_a_resolved_alert_cannot_be_resolved_again(district, team):
    alert = _fever(_episode(district), user=team[0])
    alert_resolve(acting_user=team[0], alert=alert, outcome=AlertOutcome.FALSE_READING)
    with pytest.raises(ValidationError):
        alert_resolve(acting_user=team[0], alert=alert, outcome=AlertOutcome.RETEST_NORMAL)


def test_staff_of_another_community_cannot_handle_the_alert(district, team):
    alert = _fever(_episode(district), user=team[0])
    outsider = staff_user(role=Role.GRID_WORKER, unit=district.grid_b1)
    with pytest.raises(PermissionDenied):
        alert_acknowledge(acting_user=outsider, alert=alert)


# ---------------------------------------------------------------------------- escalation


@pytest.fixture
def leaders(district):
    other_station = UnitFactory(code="S2", name="长江路派出所", kind=UnitKind.STATION)
    return (
        staff_user(role=Role.STATION_LEADER, unit=district.station, phone="13900000007"),
        staff_user(role=Role.STATION_LEADER, unit=other_station, phone="13900000008"),
    )


def test_an_unacknowledged_alert_escalates_once_to_the_station_leader(district, team, leaders):
    ours, theirs = leaders
    alert = _fever(_episode(district), user=team[0], now=at(10, 8))
    assert alerts_escalate(now=at(10, 8, 29)) == []
    assert alerts_escalate(now=at(10, 8, 30)) == [alert]
    assert alerts_escalate(now=at(10, 9, 30)) == []

    alert.refresh_from_db()
    assert alert.escalated_at == at(10, 8, 30)
    assert InboxMessage.objects.filter(recipient=ours, url=alert.get_absolute_url()).count() == 1
    assert OutboundMessage.objects.filter(address="13900000007").count() == 1
    assert not InboxMessage.objects.filter(recipient=theirs).exists()


def test_a_fever_alert_whose_sms_reached_nobody_escalates_at_once(district, team, leaders, client):
    """The team's SMS failed (a bad number, the provider's receipt said so): nobody may
    have seen the alert on a phone, so the leaders hear of it at the next run, and the
    alert's page shows the SMS's state."""
    ours, _theirs = leaders
    episode = _episode(district)
    _staff_team(episode, team)
    alert = _fever(episode, user=team[0], now=at(10, 8))
    assert OutboundMessage.objects.filter(recipient=team[0]).exists()
    assert alerts_escalate(now=at(10, 8, 1)) == []  # queued: the policy's minutes hold
    OutboundMessage.objects.filter(recipient=team[0]).update(status="failed", error="空号")
    assert alerts_escalate(now=at(10, 8, 2)) == [alert]
    assert OutboundMessage.objects.filter(recipient=ours).count() == 1
    client.force_login(team[1])
    page = client.get(alert.get_absolute_url()).content.decode()
    states = page.split('data-testid="sms-states"', 1)[1].split("</dd>", 1)[0]
    with translation.override("zh-hans"):
        assert str(DeliveryStatus.FAILED.label) in states  # the page is in Chinese


def test_an_acknowledged_alert_never_escalates(district, team, leaders):
    alert = _fever(_episode(district), user=team[0], now=at(10, 8))
    alert_acknowledge(acting_user=team[0], alert=alert, now=at(10, 8, 20))
    assert alerts_escalate(now=at(11, 8)) == []
    assert not InboxMessage.objects.filter(recipient=leaders[0]).exists()


def test_the_leader_may_take_over_an_escalated_alert(district, team, leaders):
    alert = _fever(_episode(district), user=team[0], now=at(10, 8))
    alerts_escalate(now=at(10, 9))
    alert = alert_acknowledge(acting_user=leaders[0], alert=alert, now=at(10, 9, 5))
    assert alert.acknowledged_by == leaders[0]


# ---------------------------------------------------------------------------- missed check-ins


def test_no_missed_alert_for_a_slot_with_a_check_in_in_its_window(district):
    episode = _episode(district)
    CheckInFactory(episode=episode, taken_at=at(10, 7, 15))
    assert missed_check_ins_sweep(now=at(10, 12)) == []


def test_one_missed_alert_for_a_missed_slot_to_the_team_inbox_only(district, team):
    episode = _episode(district)
    _staff_team(episode, team)
    assert missed_check_ins_sweep(now=at(10, 9, 59)) == []
    (alert,) = missed_check_ins_sweep(now=at(10, 10))
    assert (alert.kind, alert.slot_at, alert.raised_at) == (
        AlertKind.MISSED_CHECK_IN,
        at(10, 8),
        at(10, 10),
    )
    assert set(InboxMessage.objects.values_list("recipient", flat=True)) == {t.pk for t in team}
    assert not OutboundMessage.objects.exists()


def test_running_the_sweep_again_raises_no_second_alert(district):
    _episode(district)
    missed_check_ins_sweep(now=at(10, 10))
    assert missed_check_ins_sweep(now=at(10, 10)) == []
    assert missed_check_ins_sweep(now=at(10, 11)) == []
    assert Alert.objects.count() == 1


def test_a_check_in_that_arrives_while_the_sweep_reads_is_not_called_missed(district, monkeypatch):
    """The sweep reads every episode before it writes (so it holds no write lock while it
    reads): a report that comes in between is seen by the write's own check."""
    from outpost.observation.services import alerts

    episode = _episode(district)
    read = alerts._unreported_slots

    def and_then_the_report_arrives(*args):
        slots = read(*args)
        CheckInFactory(episode=episode, taken_at=at(10, 9, 58))
        return slots

    monkeypatch.setattr(alerts, "_unreported_slots", and_then_the_report_arrives)
    assert missed_check_ins_sweep(now=at(10, 10)) == []
    assert not Alert.objects.exists()


def test_no_missed_alert_before_the_episode_starts(district):
    _episode(district)
    assert missed_check_ins_sweep(now=at(9, 23)) == []
    assert missed_check_ins_sweep(now=at(10, 9)) == []


def test_no_missed_alert_for_slots_before_the_episode_was_registered(district):
    episode_registered(district.grid_a1, start_date=START, at=at(10, 15))
    assert missed_check_ins_sweep(now=at(10, 15, 5)) == []
    assert [a.slot_at for a in missed_check_ins_sweep(now=at(10, 20))] == [at(10, 18)]


def test_no_missed_alert_after_the_episode_ends(district):
    episode = _episode(district)
    episode.status, episode.ended_on, episode.end_reason = "ended", START, "moved"
    episode.save()
    assert missed_check_ins_sweep(now=at(10, 23)) == []
    planned = _episode(district)  # open, planned to end on the 12th
    raised = missed_check_ins_sweep(now=at(13, 12))
    assert [(a.episode, a.slot_at) for a in raised] == [(planned, at(12, 18))]


def test_a_late_check_in_resolves_the_missed_alert_of_its_slot(district, team):
    episode = _episode(district)
    (alert,) = missed_check_ins_sweep(now=at(10, 10))
    check_in, _created = check_in_record(
        episode=episode,
        temperature="36.6",
        source=CheckInSource.STAFF,
        acting_user=team[0],
        now=at(10, 10, 20),
    )
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.check_in) == (
        AlertStatus.RESOLVED,
        AlertOutcome.REPORTED_LATE,
        check_in,
    )
    assert missed_check_ins_sweep(now=at(10, 11)) == []


def test_a_missed_alert_escalates_to_the_leader_without_sms(district, leaders):
    _episode(district)
    (alert,) = missed_check_ins_sweep(now=at(10, 10))
    assert alerts_escalate(now=at(10, 10, 30)) == [alert]
    assert InboxMessage.objects.filter(recipient=leaders[0]).count() == 1
    assert not OutboundMessage.objects.exists()


# ---------------------------------------------------------------------------- reminders


def _with_link(episode):
    SelfReportLink.objects.create(
        episode=episode,
        token_hash=f"hash-{episode.pk}",
        created_by=User.objects.get_or_create(username="issuer")[0],
        expires_at=at(13, 0),
    )
    return episode


def test_a_reminder_goes_once_per_slot_to_the_person_who_has_not_reported(district):
    episode = _with_link(_episode(district))
    assert reminders_send(now=at(10, 8, 29)) == 0
    assert reminders_send(now=at(10, 8, 30)) == 1
    assert reminders_send(now=at(10, 9)) == 0
    assert reminders_send(now=at(10, 10)) == 0  # missed by now: the sweep takes over
    (message,) = OutboundMessage.objects.all()
    assert (message.channel, message.address) == ("sms", episode.key_person.resident.phone)
    assert "08:00" in message.body
    assert ReminderSent.objects.get().slot_at == at(10, 8)


def test_an_extended_episode_keeps_its_reminders_after_the_first_end(district):
    episode = _with_link(_episode(district))  # the link was issued to end with the 12th
    Episode.objects.filter(pk=episode.pk).update(planned_end_date=datetime.date(2020, 2, 14))
    assert reminders_send(now=at(13, 8, 30)) == 1


def test_no_reminder_for_those_who_reported(district):
    episode = _with_link(_episode(district))
    CheckInFactory(episode=episode, taken_at=at(10, 7, 50))
    assert reminders_send(now=at(10, 8, 30)) == 0
    assert reminders_send(now=at(10, 18, 30)) == 1


def test_the_key_persons_own_phone_is_used_without_a_resident_phone(district):
    episode = _with_link(_episode(district))
    resident = episode.key_person.resident
    resident.phone = ""
    resident.save()
    episode.key_person.phone = "13700000001"
    episode.key_person.save()
    assert reminders_send(now=at(10, 8, 30)) == 1
    assert OutboundMessage.objects.get().address == "13700000001"


def test_a_person_without_a_phone_is_skipped(district):
    episode = _with_link(_episode(district))
    resident = episode.key_person.resident
    resident.phone = ""
    resident.save()
    assert reminders_send(now=at(10, 8, 30)) == 0
    assert not OutboundMessage.objects.exists()


def test_no_reminder_without_a_usable_self_report_link(district):
    _episode(district)
    revoked = _with_link(_episode(district))
    SelfReportLink.objects.filter(episode=revoked).update(revoked_at=at(10, 7))
    assert reminders_send(now=at(10, 8, 30)) == 0


# ---------------------------------------------------------------------------- China time


def test_alert_messages_and_sms_give_china_time_whatever_zone_the_clock_is_in(district, team):
    """The services are given aware UTC moments (as the scheduler's clock is); every text
    sent says the time in China: 00:08 UTC is 08:08 (DESIGN rule 5)."""
    utc = datetime.UTC
    episode = _with_link(_episode(district))
    _staff_team(episode, team)
    _fever(episode, user=team[0], now=datetime.datetime(2020, 2, 10, 0, 8, tzinfo=utc))
    missed_check_ins_sweep(now=datetime.datetime(2020, 2, 10, 12, 0, tzinfo=utc))
    reminders_send(now=datetime.datetime(2020, 2, 11, 0, 30, tzinfo=utc))
    texts = [f"{m.subject} {m.body}" for m in InboxMessage.objects.all()] + list(
        OutboundMessage.objects.values_list("body", flat=True)
    )
    assert any("08:08" in text for text in texts)  # the fever check-in
    assert any("18:00" in text for text in texts)  # the evening slot missed
    assert any("08:00" in text for text in texts)  # the reminder of the next morning
    assert [text for text in texts if "00:08" in text or "00:30" in text] == []
