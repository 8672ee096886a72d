"""Notices: push, read receipts (阅知确认), and the escalation ladder driven by a fixed clock."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.shell import todo_lines
from outpost.core.tests.factories import staff_user
from outpost.enterprises.models import EnterpriseLiaison
from outpost.enterprises.notices import selectors
from outpost.enterprises.notices.choices import ConfirmedVia, EscalationLevel, EscalationStep
from outpost.enterprises.notices.models import (
    Notice,
    NoticeAttachment,
    NoticeEscalation,
    NoticeReceipt,
)
from outpost.enterprises.notices.services import (
    STEP_INTERVAL,
    notice_push,
    notices_escalate,
    receipt_call_record,
    receipt_confirm,
    receipt_escalate,
)
from outpost.enterprises.tests.factories import EnterpriseFactory, liaison_of
from outpost.notify.models import InboxMessage, OutboundMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOW = datetime.datetime(2026, 2, 10, 9, 0, tzinfo=datetime.UTC)
DEADLINE = NOW + datetime.timedelta(hours=6)


@pytest.fixture
def firms(district):
    """Two enterprises in grid A1, one in grid A2, one in community B."""
    return {
        "a1": EnterpriseFactory(unit=district.grid_a1, name="甲一食品"),
        "a1b": EnterpriseFactory(unit=district.grid_a1, name="甲一物流"),
        "a2": EnterpriseFactory(unit=district.grid_a2, name="甲二医药"),
        "b": EnterpriseFactory(unit=district.grid_b1, name="乙一超市"),
    }


def _liaison(enterprise, phone="13900001111"):
    user = liaison_of(enterprise)
    user.staff_profile.phone = phone
    user.staff_profile.save(update_fields=["phone"])
    return user


def _push(officer, **kwargs):
    fields = {
        "title": "关于企业复工疫情防控的通知",
        "body": "各企业：复工前须完成员工健康登记。",
        "source_authority": "大连市新冠肺炎防控指挥部",
        "deadline": DEADLINE,
        "now": NOW,
    }
    fields.update(kwargs)
    return notice_push(acting_user=officer, **fields)


# ---------------------------------------------------------------------------- push


def test_push_reaches_the_chosen_enterprises_and_those_of_the_chosen_units_once(
    officer_a, district, firms
):
    notice = _push(officer_a, enterprises=[firms["a1"], firms["a2"]], units=[district.grid_a1])
    reached = set(notice.receipts.values_list("enterprise__name", flat=True))
    assert reached == {"甲一食品", "甲一物流", "甲二医药"}
    assert notice.unit == district.community_a
    assert notice.version == 1


def test_push_puts_the_notice_in_the_liaisons_inbox(
    officer_a, firms, django_capture_on_commit_callbacks
):
    liaison = _liaison(firms["a1"])
    with django_capture_on_commit_callbacks(execute=True):
        _push(officer_a, enterprises=[firms["a1"]])
    message = InboxMessage.objects.get(recipient=liaison)
    assert "关于企业复工疫情防控的通知" in message.subject


def test_push_without_recipients_is_refused_naming_the_field(officer_a):
    with pytest.raises(ValidationError) as caught:
        _push(officer_a)
    assert caught.value.message_dict["enterprises"] == [
        "Choose at least one enterprise or unit to push the notice to."
    ]
    assert not Notice.objects.exists()


def test_push_to_units_without_enterprises_says_so(officer_a, district):
    with pytest.raises(ValidationError) as caught:
        _push(officer_a, units=[district.grid_a2])
    assert "have no enterprises" in caught.value.message_dict["enterprises"][0]


def test_push_with_a_deadline_past_is_refused(officer_a, firms):
    with pytest.raises(ValidationError) as caught:
        _push(officer_a, enterprises=[firms["a1"]], deadline=NOW - datetime.timedelta(minutes=1))
    assert "deadline" in caught.value.message_dict
    assert not Notice.objects.exists()


def test_push_to_an_enterprise_of_another_community_is_refused(officer_a, firms):
    with pytest.raises(PermissionDenied):
        _push(officer_a, enterprises=[firms["a1"], firms["b"]])
    assert not NoticeReceipt.objects.exists()


def test_a_role_that_may_not_push_is_refused(district, firms):
    cadre = staff_user(role=Role.COMMUNITY_CADRE, unit=district.community_a)
    with pytest.raises(PermissionDenied):
        _push(cadre, enterprises=[firms["a1"]])


def test_a_new_version_supersedes_the_old_one(officer_a, firms):
    old = _push(officer_a, enterprises=[firms["a1"]])
    new = _push(officer_a, enterprises=[firms["a1"]], supersedes=old, title="通知（第二版）")
    old.refresh_from_db()
    assert new.version == 2
    assert old.is_superseded and old.newer == new
    with pytest.raises(ValidationError) as caught:
        _push(officer_a, enterprises=[firms["a1"]], supersedes=old)
    assert "already been replaced" in caught.value.message_dict["supersedes"][0]


def test_attachments_are_kept_under_a_random_name(officer_a, firms, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("复工方案.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    notice = _push(officer_a, enterprises=[firms["a1"]], attachments=[upload])
    attachment = notice.attachments.get()
    assert attachment.original_name == "复工方案.pdf"
    assert "复工方案" not in attachment.file.name
    assert attachment.file.name.endswith(".pdf")
    assert attachment.file.read() == b"%PDF-1.4 test"


def test_an_attachment_of_the_wrong_kind_is_refused_and_nothing_is_kept(
    officer_a, firms, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    good = SimpleUploadedFile("方案.pdf", b"%PDF-1.4")
    bad = SimpleUploadedFile("page.html", b"<script>alert(1)</script>")
    with pytest.raises(ValidationError) as caught:
        _push(officer_a, enterprises=[firms["a1"]], attachments=[good, bad])
    assert "page.html" in caught.value.message_dict["attachments"][0]
    assert not Notice.objects.exists()
    assert not NoticeAttachment.objects.exists()
    assert not any(tmp_path.rglob("*.pdf"))


def test_an_empty_attachment_is_refused_naming_it(officer_a, firms, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as caught:
        _push(officer_a, enterprises=[firms["a1"]], attachments=[SimpleUploadedFile("a.pdf", b"")])
    assert caught.value.message_dict["attachments"] == ["a.pdf: The file is empty."]


# ---------------------------------------------------------------------------- receipts


def test_the_liaison_confirms_its_own_receipt_and_twice_is_once(officer_a, firms):
    liaison = _liaison(firms["a1"])
    notice = _push(officer_a, enterprises=[firms["a1"], firms["a1b"]])
    receipt = notice.receipts.get(enterprise=firms["a1"])
    receipt_confirm(acting_user=liaison, receipt=receipt, now=NOW)
    again = receipt_confirm(acting_user=liaison, receipt=receipt, now=NOW + STEP_INTERVAL)
    assert again.confirmed_at == NOW
    assert again.confirmed_by == liaison
    assert again.confirmed_via == ConfirmedVia.LIAISON
    assert receipt.history.count() == 2  # pushed, confirmed: the second confirm wrote nothing


def test_a_liaison_cannot_confirm_another_enterprises_receipt(officer_a, firms):
    liaison = _liaison(firms["a1"])
    notice = _push(officer_a, enterprises=[firms["a1"], firms["a1b"]])
    other = notice.receipts.get(enterprise=firms["a1b"])
    assert not NoticeReceipt.objects.visible_to(liaison).filter(pk=other.pk).exists()
    with pytest.raises(PermissionDenied):
        receipt_confirm(acting_user=liaison, receipt=other, now=NOW)
    other.refresh_from_db()
    assert other.confirmed_at is None


def test_an_officer_records_a_confirmation_given_on_the_phone(officer_a, firms):
    notice = _push(officer_a, enterprises=[firms["a1"]])
    receipt = receipt_confirm(acting_user=officer_a, receipt=notice.receipts.get(), now=NOW)
    assert receipt.confirmed_via == ConfirmedVia.PHONE


def test_a_liaison_sees_only_the_notices_pushed_to_its_enterprise(officer_a, firms):
    liaison = _liaison(firms["a1"])
    own = _push(officer_a, enterprises=[firms["a1"]])
    _push(officer_a, enterprises=[firms["a1b"]], title="另一家的通知")
    assert list(Notice.objects.visible_to(liaison)) == [own]
    counted = selectors.notice_list(user=liaison).get()
    assert (counted.n_confirmed, counted.n_unconfirmed) == (0, 1)


def test_a_station_notice_counts_only_the_communitys_receipts(district, officer_a, firms):
    leader = staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="station-po")
    _push(leader, enterprises=[firms["a1"], firms["b"]])
    seen = selectors.notice_list(user=officer_a).get()
    assert (seen.n_confirmed, seen.n_unconfirmed) == (0, 1)


# ---------------------------------------------------------------------------- the ladder


@pytest.fixture
def ladder(district, officer_a, firms):
    """A notice to A1 (liaison with a mobile phone) due at DEADLINE; the community's
    officer is the one to phone."""
    liaison = _liaison(firms["a1"])
    author = staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="author")
    notice = _push(author, enterprises=[firms["a1"]])
    return notice.receipts.get(), liaison


def _steps(receipt):
    return list(NoticeEscalation.objects.filter(receipt=receipt).values_list("step", "at"))


def test_nothing_escalates_before_the_deadline(ladder):
    receipt, _liaison_user = ladder
    assert notices_escalate(now=DEADLINE - datetime.timedelta(minutes=1)) == []
    assert _steps(receipt) == []


def test_the_ladder_goes_inbox_sms_call_each_step_logged_with_its_time(ladder, officer_a, settings):
    settings.NOTIFY = {**settings.NOTIFY, "sms": "console"}
    receipt, liaison = ladder
    first = DEADLINE + datetime.timedelta(minutes=5)
    notices_escalate(now=first)
    assert InboxMessage.objects.filter(recipient=liaison, kind="reminder").count() == 1
    assert not OutboundMessage.objects.exists()
    # Not yet the next step: the interval has not passed.
    assert notices_escalate(now=first + STEP_INTERVAL - datetime.timedelta(minutes=1)) == []
    notices_escalate(now=first + STEP_INTERVAL)
    sms = OutboundMessage.objects.get()
    assert (sms.channel, sms.recipient) == ("sms", liaison)
    notices_escalate(now=first + 2 * STEP_INTERVAL)
    assert notices_escalate(now=first + 5 * STEP_INTERVAL) == []  # the call is the last step
    receipt.refresh_from_db()
    assert receipt.escalation_level == EscalationLevel.CALL
    assert receipt.call_officer == officer_a  # the officer of the enterprise's community
    assert _steps(receipt) == [
        (EscalationStep.INBOX, first),
        (EscalationStep.SMS, first + STEP_INTERVAL),
        (EscalationStep.CALL_TASK, first + 2 * STEP_INTERVAL),
    ]
    assert list(selectors.calls(user=officer_a, mine=True)) == [receipt]
    line = next(
        line
        for line in todo_lines(user=officer_a, roles=[Role.POLICE_OFFICER])
        if "phone" in line.label
    )
    assert line.count == 1 and line.url.endswith("?mine=1")


def test_without_an_sms_service_the_step_says_so_and_the_ladder_goes_on(ladder, settings):
    settings.NOTIFY = {**settings.NOTIFY, "sms": ""}
    receipt, _liaison_user = ladder
    notices_escalate(now=DEADLINE)
    notices_escalate(now=DEADLINE + STEP_INTERVAL)
    step = NoticeEscalation.objects.get(receipt=receipt, step=EscalationStep.SMS_UNAVAILABLE)
    assert step.detail == "No SMS service is configured."
    assert not OutboundMessage.objects.exists()
    notices_escalate(now=DEADLINE + 2 * STEP_INTERVAL)
    receipt.refresh_from_db()
    assert receipt.escalation_level == EscalationLevel.CALL


def test_running_the_job_twice_for_the_same_moment_escalates_once(ladder):
    receipt, _liaison_user = ladder
    notices_escalate(now=DEADLINE)
    notices_escalate(now=DEADLINE)
    assert len(_steps(receipt)) == 1


def test_a_confirmed_or_superseded_notice_is_not_escalated(ladder, officer_a, firms):
    receipt, liaison = ladder
    receipt_confirm(acting_user=liaison, receipt=receipt, now=NOW)
    replaced = _push(officer_a, enterprises=[firms["a1b"]])
    _push(officer_a, enterprises=[firms["a1b"]], supersedes=replaced)
    escalated = notices_escalate(now=DEADLINE + datetime.timedelta(hours=1))
    assert [entry.receipt.notice.version for entry in escalated] == [2]


def test_an_officer_escalates_by_hand_before_the_deadline(ladder, officer_a):
    receipt, liaison = ladder
    entry = receipt_escalate(acting_user=officer_a, receipt=receipt, now=NOW)
    assert (entry.step, entry.by) == (EscalationStep.INBOX, officer_a)
    assert InboxMessage.objects.filter(recipient=liaison, kind="reminder").exists()


def test_escalating_a_confirmed_receipt_is_refused(ladder, officer_a):
    receipt, liaison = ladder
    receipt_confirm(acting_user=liaison, receipt=receipt, now=NOW)
    with pytest.raises(ValidationError, match="has confirmed"):
        receipt_escalate(acting_user=officer_a, receipt=receipt, now=NOW)


def test_the_recorded_call_confirms_on_the_liaisons_word_and_closes_the_task(ladder, officer_a):
    receipt, _liaison_user = ladder
    for hours in (0, 2, 4):
        notices_escalate(now=DEADLINE + datetime.timedelta(hours=hours))
    receipt_call_record(
        acting_user=officer_a, receipt=receipt, confirmed=True, note="王经理接听", now=DEADLINE
    )
    receipt.refresh_from_db()
    assert receipt.confirmed_via == ConfirmedVia.PHONE and receipt.call_done_at == DEADLINE
    assert NoticeEscalation.objects.filter(step=EscalationStep.CALL_MADE).get().detail == (
        "王经理接听 (confirmed on the phone)"
    )
    assert not selectors.calls(user=officer_a, mine=True).exists()


def test_a_call_without_confirmation_needs_a_note(ladder, officer_a):
    receipt, _liaison_user = ladder
    for hours in (0, 2, 4):
        notices_escalate(now=DEADLINE + datetime.timedelta(hours=hours))
    with pytest.raises(ValidationError) as caught:
        receipt_call_record(acting_user=officer_a, receipt=receipt, confirmed=False, now=DEADLINE)
    assert "note" in caught.value.message_dict


def test_the_liaisons_to_do_counts_the_notices_to_confirm(ladder, firms):
    receipt, liaison = ladder
    line = todo_lines(user=liaison, roles=[Role.ENTERPRISE_LIAISON])[0]
    assert (line.label, line.count) == ("Notices to confirm", 1)
    receipt_confirm(acting_user=liaison, receipt=receipt, now=NOW)
    assert todo_lines(user=liaison, roles=[Role.ENTERPRISE_LIAISON])[0].count == 0


def test_an_enterprise_without_a_liaison_is_logged_and_still_escalated(officer_a, firms):
    notice = _push(officer_a, enterprises=[firms["a2"]])
    assert not EnterpriseLiaison.objects.filter(enterprise=firms["a2"]).exists()
    (entry,) = notices_escalate(now=DEADLINE)
    assert entry.receipt.notice == notice
    assert "No liaison" in entry.detail


def test_escalation_time_is_shown_in_china_time(ladder):
    _receipt, liaison = ladder
    notices_escalate(now=DEADLINE)
    message = InboxMessage.objects.get(recipient=liaison, kind="reminder")
    local = timezone.localtime(DEADLINE)
    assert f"{local:%Y-%m-%d %H:%M}" in message.body


def test_a_replaced_notice_no_longer_asks_the_liaison_to_confirm(ladder, officer_a, firms):
    receipt, liaison = ladder
    _push(officer_a, enterprises=[firms["a1"]], supersedes=receipt.notice)
    to_confirm = selectors.notice_list(user=liaison, receipts=selectors.UNCONFIRMED)
    assert [notice.version for notice in to_confirm] == [2]


def test_an_sms_that_reached_nobody_lets_the_ladder_go_on_at_once(
    ladder, officer_a, settings, client
):
    """The SMS step's message failed (the provider refused it, or its receipt said so):
    the officer's phone-call task comes at the next run, not STEP_INTERVAL later, and the
    notice's page shows the SMS's state."""
    settings.NOTIFY = {**settings.NOTIFY, "sms": "console"}
    receipt, _liaison_user = ladder
    notices_escalate(now=DEADLINE)
    notices_escalate(now=DEADLINE + STEP_INTERVAL)
    sms = OutboundMessage.objects.get()
    step = NoticeEscalation.objects.get(receipt=receipt, step=EscalationStep.SMS)
    assert sms.about == step.delivery_about
    soon = DEADLINE + STEP_INTERVAL + datetime.timedelta(minutes=5)
    assert notices_escalate(now=soon) == []  # queued or sent: the ladder waits
    OutboundMessage.objects.filter(pk=sms.pk).update(status="failed", error="空号")
    client.force_login(officer_a)
    page = client.get(receipt.notice.get_absolute_url()).content.decode()
    assert 'data-testid="sms-state"' in page and "SMS: failed" in page
    [call] = notices_escalate(now=soon)
    assert call.step == EscalationStep.CALL_TASK
    assert "短信未送达联络员" in call.detail  # kept in the station's language
    receipt.refresh_from_db()
    assert receipt.call_officer == officer_a


def test_an_sms_delivered_keeps_the_ladders_interval(ladder, settings):
    settings.NOTIFY = {**settings.NOTIFY, "sms": "console"}
    _receipt, _liaison_user = ladder
    notices_escalate(now=DEADLINE)
    notices_escalate(now=DEADLINE + STEP_INTERVAL)
    OutboundMessage.objects.update(status="delivered")
    assert notices_escalate(now=DEADLINE + STEP_INTERVAL + datetime.timedelta(minutes=5)) == []
    assert [e.step for e in notices_escalate(now=DEADLINE + 2 * STEP_INTERVAL)] == [
        EscalationStep.CALL_TASK
    ]
