"""The real channels against a local fake of each provider (tests/fakes.py, on loopback):
success, rate-limited, template rejected, timeout, a duplicate receipt; a worker killed in
the middle of a send; a phone that is not a phone. No test reaches the internet."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from outpost.core.tests.worker import run_queued_tasks
from outpost.notify import delivery
from outpost.notify.checks import channel_warnings
from outpost.notify.choices import DeliveryStatus
from outpost.notify.delivery import LEASE, outbound_deliver, outbound_sweep
from outpost.notify.models import OutboundMessage
from outpost.notify.services import outbound_message_send, sms_configured
from outpost.notify.tests.fakes import FakeProviders, provider_settings

pytestmark = pytest.mark.django_db

SMS_PROVIDERS = ["aliyun", "tencent"]
PHONE = "13912345678"


@pytest.fixture
def fake():
    with FakeProviders() as server:
        yield server


@pytest.fixture
def channels(settings, fake, tmp_path):
    """Every provider pointed at the fake; `use(backend)` picks the SMS or WeCom one."""
    from django.core.cache import cache

    cache.clear()
    settings.NOTIFY = {**settings.NOTIFY, **provider_settings(fake.url), "outbox_dir": tmp_path}

    def use(backend):
        channel = "wecom" if backend.startswith("wecom") else "sms"
        settings.NOTIFY = {**settings.NOTIFY, channel: backend}
        return channel

    return use


class Enqueued(list):
    """Stands in for the task queue where a test calls the worker's function directly:
    records (message id, when) of each enqueued delivery."""

    def __call__(self, message_id, at):
        self.append((message_id, at))


def _queue(
    channel: str, address: str = PHONE, body: str = "请于今日18时前确认通知"
) -> OutboundMessage:
    return OutboundMessage.objects.create(
        channel=channel, address=address, subject="通知", body=body
    )


def _deliver(message, **kwargs) -> OutboundMessage:
    enqueue = kwargs.pop("enqueue", Enqueued())
    with TestCase.captureOnCommitCallbacks(execute=True):
        outbound_deliver(message_id=message.pk, enqueue=enqueue, **kwargs)
    message.refresh_from_db()
    return message


@pytest.mark.parametrize("backend", SMS_PROVIDERS)
def test_an_sms_goes_out_signed_with_the_approved_template_and_its_id_is_kept(
    channels, fake, backend
):
    message = _deliver(_queue(channels(backend)))
    assert message.status == DeliveryStatus.SENT
    assert message.provider == backend and message.provider_id.startswith(("biz-", "serial-"))
    assert message.address == "139****5678"  # masked once sent
    assert fake.refused == []  # the fake recomputed the provider's signature: it matched
    [request] = fake.sent
    if backend == "aliyun":
        assert (request["PhoneNumbers"], request["SignName"], request["TemplateCode"]) == (
            PHONE,
            "平安社区",
            "SMS_0001",
        )
        assert request["TemplateParam"] == '{"content": "请于今日18时前确认通知"}'
        assert request["OutId"] == str(message.key)
    else:
        assert request["PhoneNumberSet"] == [f"+86{PHONE}"]
        assert (request["SignName"], request["TemplateId"], request["SmsSdkAppId"]) == (
            "平安社区",
            "SMS_0001",
            "1400000001",
        )
        assert request["TemplateParamSet"] == ["请于今日18时前确认通知"]


def test_a_wecom_application_message_reuses_its_token_until_it_expires(channels, fake):
    channel = channels("wecom_app")
    first = _deliver(_queue(channel, address="zhangwei"))
    second = _deliver(_queue(channel, address="lina"))
    assert [first.status, second.status] == [DeliveryStatus.DELIVERED] * 2
    assert fake.tokens_issued == 1  # kept in the cache
    assert fake.sent[0]["touser"] == "zhangwei" and fake.sent[0]["agentid"] == 1000002
    fake.script.append("token_expired")  # WeCom answers 42001: fetched again, sent
    third = _deliver(_queue(channel, address="wangfang"))
    assert third.status == DeliveryStatus.DELIVERED and fake.tokens_issued == 2


def test_a_wecom_group_robot_posts_to_its_webhook(channels, fake):
    message = _deliver(_queue(channels("wecom_robot"), address="group"))
    assert message.status == DeliveryStatus.DELIVERED
    assert fake.sent == [
        {
            "provider": "wecom_robot",
            "msgtype": "text",
            "text": {"content": "通知\n请于今日18时前确认通知"},
        }
    ]


@pytest.mark.parametrize("backend", [*SMS_PROVIDERS, "wecom_app"])
def test_a_rate_limited_message_is_retried_later_and_then_sent(channels, fake, backend):
    channel = channels(backend)
    fake.script.append("rate_limited")
    enqueue = Enqueued()
    before = timezone.now()
    message = _deliver(
        _queue(channel, address=PHONE if channel == "sms" else "zhangwei"), enqueue=enqueue
    )
    assert message.status == DeliveryStatus.QUEUED and message.attempts == 1
    assert message.error.startswith("rate-limited: ")
    # Retried after the backoff, at the moment the task was enqueued for.
    [(message_id, at)] = enqueue
    assert message_id == message.pk and at == message.next_attempt_at
    assert before + datetime.timedelta(seconds=29) < at < before + datetime.timedelta(seconds=40)
    assert _deliver(message, now=timezone.now()).status == DeliveryStatus.QUEUED  # not yet due
    assert len(fake.sent) == 1
    message = _deliver(message, now=at)
    assert message.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
    assert message.attempts == 2 and len(fake.sent) == 2


@pytest.mark.parametrize("backend", SMS_PROVIDERS)
def test_a_rejected_template_fails_at_once_and_is_not_retried(channels, fake, backend):
    fake.script.append("template_rejected")
    enqueue = Enqueued()
    message = _deliver(_queue(channels(backend)), enqueue=enqueue)
    assert message.status == DeliveryStatus.FAILED
    assert "refused" in message.error and "Template" in message.error.title()
    assert enqueue == [] and len(fake.sent) == 1


@pytest.mark.parametrize("backend", SMS_PROVIDERS)
def test_a_provider_that_does_not_answer_is_retried_with_backoff_then_given_up(
    channels, fake, backend
):
    channel = channels(backend)
    fake.script.extend(["hang", "server_error", "hang"])
    enqueue = Enqueued()
    message = _queue(channel)
    for _attempt in range(3):
        message = _deliver(message, enqueue=enqueue, now=message.next_attempt_at)
    assert message.status == DeliveryStatus.FAILED and message.attempts == 3
    assert "gave up after 3 attempts" in message.error
    # 30 s then 60 s between the attempts: exponential.
    waits = [at for _pk, at in enqueue]
    assert len(waits) == 2 and 50 < (waits[1] - waits[0]).total_seconds() < 70


def test_the_providers_rate_limit_is_shared_by_every_worker(channels, fake, settings):
    channel = channels("aliyun")
    settings.NOTIFY = {**settings.NOTIFY, "rate_per_second": 1}
    moment = timezone.now().replace(microsecond=100)
    enqueue = Enqueued()
    first = _deliver(_queue(channel), now=moment, enqueue=enqueue)
    second = _deliver(_queue(channel), now=moment, enqueue=enqueue)
    assert first.status == DeliveryStatus.SENT
    assert second.status == DeliveryStatus.QUEUED and second.attempts == 0  # not called
    assert enqueue == [(second.pk, second.next_attempt_at)] and len(fake.sent) == 1


def _receipt(client, provider, items, token="r" * 40):
    url = reverse("notify:provider_receipt", args=[provider, token])
    return client.post(url, items, content_type="application/json")


@pytest.mark.parametrize("backend", SMS_PROVIDERS)
def test_a_receipt_settles_the_message_and_a_duplicate_changes_nothing(client, channels, backend):
    message = _deliver(_queue(channels(backend)))
    if backend == "aliyun":
        delivered = [
            {
                "biz_id": message.provider_id,
                "out_id": str(message.key),
                "success": True,
                "err_code": "DELIVERED",
                "err_msg": "用户接收成功",
            }
        ]
        failed = [{**delivered[0], "success": False, "err_code": "MK:0001"}]
        accepted = {"code": 0, "msg": "成功"}
    else:
        delivered = [
            {
                "sid": message.provider_id,
                "report_status": "SUCCESS",
                "errmsg": "DELIVRD",
                "mobile": PHONE,
                "nationcode": "86",
            }
        ]
        failed = [{**delivered[0], "report_status": "FAIL", "errmsg": "MK:0001"}]
        accepted = {"result": 0, "errmsg": "OK"}
    response = _receipt(client, backend, delivered)
    assert response.status_code == 200 and response.json() == accepted
    message.refresh_from_db()
    assert message.status == DeliveryStatus.DELIVERED
    first_at = message.delivered_at
    assert _receipt(client, backend, delivered).status_code == 200
    assert _receipt(client, backend, failed).status_code == 200  # late and contrary
    message.refresh_from_db()
    assert (message.status, message.delivered_at) == (DeliveryStatus.DELIVERED, first_at)


def test_a_failed_receipt_marks_the_message_failed(client, channels):
    message = _deliver(_queue(channels("tencent")))
    _receipt(
        client,
        "tencent",
        [
            {
                "sid": message.provider_id,
                "report_status": "FAIL",
                "errmsg": "MK:0012",
                "description": "空号",
            }
        ],
    )
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED and "空号" in message.error


def test_a_receipt_with_a_wrong_token_or_garbage_is_refused(client, channels):
    message = _deliver(_queue(channels("aliyun")))
    item = [{"biz_id": message.provider_id, "success": True}]
    assert _receipt(client, "aliyun", item, token="guess").status_code == 404
    assert _receipt(client, "nosuch", item).status_code == 404
    assert _receipt(client, "aliyun", "not json{").status_code == 400
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT


class WorkerKilled(BaseException):
    """What the process sees when its worker is killed: nothing after it runs."""


def _kill_after_the_call(monkeypatch):
    def killed(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(delivery, "_record", killed)


@pytest.mark.parametrize("backend", SMS_PROVIDERS)
def test_an_sms_whose_worker_died_mid_send_is_never_sent_twice(
    client, channels, fake, monkeypatch, backend
):
    message = _queue(channels(backend))
    _kill_after_the_call(monkeypatch)
    with pytest.raises(WorkerKilled):
        _deliver(message)
    monkeypatch.undo()
    assert len(fake.sent) == 1  # the provider took it; Outpost never wrote that down
    # The task runs again (a rerun, a duplicate): the message is claimed, nothing is sent.
    assert _deliver(message).status == DeliveryStatus.SENDING
    run_queued_tasks()
    # The sweep, after the lease: not sent again, marked unknown, counted as not reached.
    enqueue = Enqueued()
    with TestCase.captureOnCommitCallbacks(execute=True):
        counts = outbound_sweep(
            now=timezone.now() + LEASE + datetime.timedelta(seconds=1), enqueue=enqueue
        )
    message.refresh_from_db()
    assert counts["unknown"] == 1 and enqueue == []
    assert message.status == DeliveryStatus.UNKNOWN and "not sent again" in message.error
    assert _deliver(message).status == DeliveryStatus.UNKNOWN and len(fake.sent) == 1
    # The provider's receipt still finds it (Aliyun by the key sent as OutId, Tencent by the
    # serial number it answered with).
    if backend == "aliyun":
        items = [{"biz_id": "biz-1", "out_id": str(message.key), "success": True}]
    else:
        items = [{"sid": "serial-1", "report_status": "SUCCESS"}]
        OutboundMessage.objects.filter(pk=message.pk).update(provider_id="serial-1")
    _receipt(client, backend, items)
    message.refresh_from_db()
    assert message.status == DeliveryStatus.DELIVERED


def test_a_wecom_message_whose_worker_died_is_sent_again_and_shown_once(
    channels, fake, monkeypatch
):
    message = _queue(channels("wecom_app"), address="zhangwei")
    _kill_after_the_call(monkeypatch)
    with pytest.raises(WorkerKilled):
        _deliver(message)
    monkeypatch.undo()
    enqueue = Enqueued()
    with TestCase.captureOnCommitCallbacks(execute=True):
        outbound_sweep(now=timezone.now() + LEASE + datetime.timedelta(seconds=1), enqueue=enqueue)
    assert enqueue == [(message.pk, None)]
    message = _deliver(message)
    assert message.status == DeliveryStatus.DELIVERED and message.attempts == 2
    assert len(fake.sent) == 2 and len(fake.wecom_shown) == 1  # WeCom dropped the repeat


def test_a_message_enqueued_twice_through_the_worker_is_sent_once(
    channels, fake, django_capture_on_commit_callbacks
):
    channels("aliyun")
    with django_capture_on_commit_callbacks(execute=True):
        message = outbound_message_send(channel="sms", address="+86 139-1234-5678", body="自报链接")
    from outpost.notify.tasks import enqueue_delivery

    enqueue_delivery(message.pk)
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT and len(fake.sent) == 1
    assert fake.sent[0]["PhoneNumbers"] == PHONE


@pytest.mark.parametrize("address", ["12345", "0411-84123456", "1391234567a", "电话"])
def test_an_sms_to_something_that_is_not_a_mobile_is_refused_and_nothing_queued(channels, address):
    channels("aliyun")
    with pytest.raises(ValidationError) as caught:
        outbound_message_send(channel="sms", address=address, body="x")
    assert "address" in caught.value.message_dict
    assert address in caught.value.message_dict["address"][0]
    assert not OutboundMessage.objects.exists()


def test_a_provider_chosen_without_its_keys_warns_at_deployment(settings):
    settings.NOTIFY = {
        **settings.NOTIFY,
        "sms": "tencent",
        "tencent_secret_id": "",
        "sms_template": "",
    }
    [warning] = [w for w in channel_warnings() if w.id == "notify.W001"]
    assert "OUTPOST_TENCENT_SECRET_ID" in warning.msg and "OUTPOST_SMS_TEMPLATE" in warning.msg
    assert not sms_configured()
    settings.NOTIFY = {**settings.NOTIFY, "sms": "aliyun-typo"}
    assert "OUTPOST_SMS_BACKEND" in channel_warnings()[0].msg
