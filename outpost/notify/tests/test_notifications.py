"""Sending notifications: inbox rows for each recipient, SMS/email through the configured
backend after commit, masked addresses in the log, failures recorded, no double sending."""

import json

import pytest
from django.core.exceptions import ValidationError

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks
from outpost.notify.choices import DeliveryStatus, MessageKind
from outpost.notify.delivery import outbound_deliver
from outpost.notify.models import InboxMessage, OutboundMessage
from outpost.notify.services import notification_send, outbound_message_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings, tmp_path):
    settings.NOTIFY = {**settings.NOTIFY, "sms": "file", "email": "file", "outbox_dir": tmp_path}
    return tmp_path


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_recipient_gets_one_inbox_message(officer_a, grid_worker_a1):
    notification_send(
        recipients=[officer_a, grid_worker_a1, officer_a],
        kind=MessageKind.ASSIGNMENT,
        subject="新的重点人员",
        url="/keypersons/1/",
    )
    assert sorted(InboxMessage.objects.values_list("recipient__username", flat=True)) == sorted(
        [officer_a.username, grid_worker_a1.username]
    )


def test_an_sms_goes_out_after_commit_and_the_log_keeps_the_number_masked(
    district, outbox, django_capture_on_commit_callbacks
):
    worker = staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, phone="13912345678")
    silent = staff_user(role=Role.GRID_WORKER, unit=district.grid_a2)  # no phone
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(
            recipients=[worker, silent],
            kind=MessageKind.ALERT,
            subject="发热预警",
            body="请立即处置",
            channels=["sms"],
        )
    assert not (outbox / "sms.jsonl").exists()  # queued, not yet sent
    run_queued_tasks()
    assert [(line["to"], line["text"]) for line in _lines(outbox / "sms.jsonl")] == [
        ("13912345678", "请立即处置")
    ]
    message = OutboundMessage.objects.get()
    assert message.status == DeliveryStatus.SENT
    assert message.address != "13912345678" and message.address.endswith("5678")


def test_a_delivered_message_is_not_sent_twice(outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbound_message_send(channel="sms", address="13900001111", body="自报链接")
    run_queued_tasks()
    outbound_deliver(message_id=message.pk, enqueue=lambda *args: None)
    assert len(_lines(outbox / "sms.jsonl")) == 1


def test_an_unreachable_gateway_is_retried_then_the_message_failed(settings):
    settings.NOTIFY = {
        **settings.NOTIFY,
        "sms": "http",
        "sms_gateway_url": "http://127.0.0.1:9/",
        "max_attempts": 2,
    }
    message = OutboundMessage.objects.create(channel="sms", address="13900001111", body="x")
    outbound_deliver(message_id=message.pk, enqueue=lambda *args: None)
    message.refresh_from_db()
    assert message.status == DeliveryStatus.QUEUED and "gateway unreachable" in message.error
    outbound_deliver(message_id=message.pk, enqueue=lambda *args: None, now=message.next_attempt_at)
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED
    assert "gave up after 2 attempts: gateway unreachable" in message.error


def test_a_message_without_an_address_is_refused():
    with pytest.raises(ValidationError) as caught:
        outbound_message_send(channel="sms", address="  ", body="x")
    assert "address" in caught.value.message_dict


def test_email_goes_to_the_users_address_and_is_masked_once_sent(
    officer_a, outbox, django_capture_on_commit_callbacks
):
    officer_a.email = "zhang.wei@example.cn"
    officer_a.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(
            recipients=[officer_a],
            kind=MessageKind.ORDER_ITEM,
            subject="调度指令",
            channels=["email"],
        )
    run_queued_tasks()
    assert _lines(outbox / "email.jsonl")[0]["to"] == "zhang.wei@example.cn"
    assert OutboundMessage.objects.get().address == "z***@example.cn"
