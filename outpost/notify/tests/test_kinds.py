"""Every kind of notification, created by the real service call of the module that owns
the event: who receives it, in which language, with a link they can open; SMS only when
the recipient chose it (or the sender's default holds), has a phone and SMS is
configured; the settings page; the inbox stays the recipient's own."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.dispatch.services import item_assign
from outpost.dispatch.tests.factories import DispatchItemFactory
from outpost.keypersons.models import TeamRole
from outpost.keypersons.tests.factories import TeamMemberFactory
from outpost.notify.choices import Delivery, MessageKind
from outpost.notify.models import DeliveryPreference, InboxMessage, OutboundMessage
from outpost.notify.services import notification_send
from outpost.observation.choices import CheckInSource
from outpost.observation.services.checkins import check_in_record
from outpost.observation.tests.factories import episode_registered
from outpost.registry.services import campaign_create
from outpost.screening.services import screening_run_execute
from outpost.screening.tests import test_runs
from outpost.screening.tests.factories import ScreeningRunFactory

pytestmark = pytest.mark.django_db

world = test_runs.world


@pytest.fixture
def sms_outbox(settings, tmp_path):
    settings.NOTIFY = {**settings.NOTIFY, "sms": "file", "outbox_dir": tmp_path}


def _opens(client, message) -> int:
    client.force_login(message.recipient)
    return client.get(message.url).status_code


def _open_campaign(officer, district):
    today = timezone.localdate()
    return campaign_create(
        acting_user=officer,
        name="春季排查",
        start_date=today,
        end_date=today + datetime.timedelta(days=6),
        scope_units=[district.community_a],
    )


# ---------------------------------------------------------------------------- the kinds


def test_a_campaign_opened_reaches_its_grid_workers_each_in_their_language(
    client, district, officer_a, grid_worker_a1
):
    english = staff_user(
        role=Role.GRID_WORKER, unit=district.grid_a2, username="grid_a2", language="en"
    )
    elsewhere = staff_user(role=Role.GRID_WORKER, unit=district.grid_b1, username="grid_b1")
    with translation.override("en"):  # the officer works in English: no matter
        campaign = _open_campaign(officer_a, district)

    messages = {m.recipient: m for m in InboxMessage.objects.filter(kind=MessageKind.CAMPAIGN)}
    assert set(messages) == {grid_worker_a1, english}
    assert elsewhere not in messages and officer_a not in messages
    assert messages[english].subject == (
        "Screening campaign 春季排查: visit the households of your grid"
    )
    assert messages[grid_worker_a1].subject == "排查批次 春季排查：请走访本网格的住户"
    assert messages[grid_worker_a1].url == campaign.get_absolute_url()
    assert _opens(client, messages[grid_worker_a1]) == 200


def test_an_assigned_dispatch_item_reaches_its_officer(client, district, officer_a):
    station_officer = staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="s")
    item = DispatchItemFactory(unit=district.grid_a1)
    item_assign(acting_user=station_officer, item=item, officer=officer_a)
    message = InboxMessage.objects.get(kind=MessageKind.ORDER_ITEM)
    assert message.recipient == officer_a
    assert item.order.order_number in message.subject
    assert _opens(client, message) == 200


def test_a_fever_alert_reaches_the_team_of_the_key_person(client, district, grid_worker_a1):
    start = datetime.date(2020, 2, 10)
    at = datetime.datetime(2020, 2, 10, 10, 8, tzinfo=datetime.UTC)
    episode = episode_registered(
        district.grid_a1,
        start_date=start,
        at=at - datetime.timedelta(hours=12),
        planned_end_date=datetime.date(2020, 2, 12),
    )
    TeamMemberFactory(
        key_person=episode.key_person, worker=grid_worker_a1, role=TeamRole.objects.get(code="grid")
    )
    check_in_record(
        episode=episode,
        temperature="38.5",
        source=CheckInSource.STAFF,
        acting_user=grid_worker_a1,
        now=at,
    )
    message = InboxMessage.objects.get(kind=MessageKind.ALERT)
    assert message.recipient == grid_worker_a1
    assert message.subject.startswith("发热预警")
    assert _opens(client, message) == 200


def test_a_review_waiting_reaches_the_officers_of_its_units(
    client, world, district, officer_a, django_capture_on_commit_callbacks
):
    officer_b = staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="ob")
    runner = staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="runner")
    run = ScreeningRunFactory(unit=district.station, created_by=runner)
    run.feeds.set([world["feed"]])
    screening_run_execute(acting_user=runner, run=run)  # the twins of A1 and A2: review

    recipients = set(
        InboxMessage.objects.filter(kind=MessageKind.REVIEW).values_list("recipient", flat=True)
    )
    assert officer_a.pk in recipients and runner.pk in recipients
    assert officer_b.pk not in recipients
    message = InboxMessage.objects.get(kind=MessageKind.REVIEW, recipient=officer_a)
    assert message.url == reverse("screening:review_list")
    assert _opens(client, message) == 200


# ---------------------------------------------------------------------------- SMS and settings


def test_sms_follows_the_recipients_choice(district, officer_a, sms_outbox):
    chose_sms = staff_user(
        role=Role.GRID_WORKER, unit=district.grid_a1, username="g1", phone="13900000011"
    )
    chose_inbox = staff_user(
        role=Role.GRID_WORKER, unit=district.grid_a2, username="g2", phone="13900000012"
    )
    no_phone = staff_user(role=Role.GRID_WORKER, unit=district.grid_a2, username="g3")
    DeliveryPreference.objects.create(
        user=chose_sms, kind=MessageKind.CAMPAIGN, delivery=Delivery.INBOX_SMS
    )
    DeliveryPreference.objects.create(
        user=chose_inbox, kind=MessageKind.ALERT, delivery=Delivery.INBOX
    )
    DeliveryPreference.objects.create(
        user=no_phone, kind=MessageKind.CAMPAIGN, delivery=Delivery.INBOX_SMS
    )

    _open_campaign(officer_a, district)
    notification_send(
        recipients=[chose_inbox], kind=MessageKind.ALERT, subject="发热预警", channels=["sms"]
    )

    assert InboxMessage.objects.filter(kind=MessageKind.CAMPAIGN).count() == 3
    assert list(OutboundMessage.objects.values_list("recipient__username", flat=True)) == ["g1"]


def test_no_sms_leaves_without_a_configured_backend(settings, district):
    settings.NOTIFY = {**settings.NOTIFY, "sms": "http", "sms_gateway_url": ""}
    worker = staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, phone="13900000011")
    notification_send(recipients=[worker], kind=MessageKind.ALERT, subject="x", channels=["sms"])
    assert InboxMessage.objects.count() == 1 and not OutboundMessage.objects.exists()


@pytest.mark.usefixtures("english", "sms_outbox")
def test_the_settings_page_keeps_only_the_kinds_the_user_changed(client, district):
    worker = staff_user(role=Role.GRID_WORKER, unit=district.grid_a1, phone="13900000011")
    client.force_login(worker)
    page = client.get(reverse("notify:preferences")).content.decode()
    assert "Inbox and SMS" in page and "screening campaign opened" in page
    data = {
        kind: Delivery.INBOX_SMS if kind in ("campaign", "alert") else Delivery.INBOX
        for kind in MessageKind.values
        if kind != MessageKind.OTHER
    }
    response = client.post(reverse("notify:preferences"), data)
    assert response.status_code == 302
    # Alerts already came by SMS by default: only the campaign choice is stored.
    assert dict(DeliveryPreference.objects.values_list("kind", "delivery")) == {
        "campaign": Delivery.INBOX_SMS
    }


@pytest.mark.usefixtures("english")
def test_without_a_phone_the_settings_page_says_why_sms_is_not_offered(client, grid_worker_a1):
    client.force_login(grid_worker_a1)
    page = client.get(reverse("notify:preferences")).content.decode()
    assert "Your staff profile has no phone number" in page
    form = page.split('<form method="post" class="stack"')[1].split("</form>")[0]
    assert 'type="submit"' not in form


def test_one_users_message_cannot_be_marked_read_by_another(client, district, officer_a):
    other = staff_user(role=Role.POLICE_OFFICER, unit=district.community_a, username="other")
    (message,) = notification_send(recipients=[other], kind=MessageKind.OTHER, subject="x")
    client.force_login(officer_a)
    assert client.post(reverse("notify:message_read", args=[message.pk])).status_code == 404
    client.post(reverse("notify:inbox_read_all"))
    message.refresh_from_db()
    assert message.read_at is None
