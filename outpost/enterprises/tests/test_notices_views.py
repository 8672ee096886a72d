"""Notice pages: the liaison's list and confirm button, the officer's push form and notice
page (counts and lists from one query, escalation per recipient), calls, attachments."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.enterprises.notices.choices import EscalationLevel, EscalationStep
from outpost.enterprises.notices.models import Notice, NoticeEscalation, NoticeReceipt
from outpost.enterprises.tests.factories import EnterpriseFactory, liaison_of
from outpost.enterprises.tests.factories_notices import attachment_in, notice_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def firms(district):
    return {
        "a1": EnterpriseFactory(unit=district.grid_a1, name="甲一食品"),
        "a2": EnterpriseFactory(unit=district.grid_a1, name="甲二物流"),
        "b": EnterpriseFactory(unit=district.grid_b1, name="乙一超市"),
    }


def _form(firms, **fields):
    deadline = timezone.localtime() + datetime.timedelta(days=1)
    data = {
        "title": "关于复工复产的通知",
        "body": "请各企业落实体温检测。",
        "source_authority": "市防控指挥部",
        "deadline": f"{deadline:%Y-%m-%dT%H:%M}",
        "enterprises": [firms["a1"].pk, firms["a2"].pk],
    }
    data.update(fields)
    return data


def test_the_officer_pushes_a_notice_and_sees_who_has_not_confirmed(client, officer_a, firms):
    client.force_login(officer_a)
    response = client.post(reverse("enterprise_notices:new"), _form(firms), follow=True)
    assert response.status_code == 200
    assert "Notice pushed to 2 enterprises." in response.content.decode()
    notice = Notice.objects.get()
    assert response.context["object"] == notice
    assert [r.enterprise.name for r in response.context["unconfirmed"]] == ["甲一食品", "甲二物流"]
    assert response.context["confirmed"] == []


def test_a_push_without_recipients_is_a_422_naming_the_field_and_writes_nothing(
    client, officer_a, firms
):
    client.force_login(officer_a)
    response = client.post(reverse("enterprise_notices:new"), _form(firms, enterprises=[]))
    assert response.status_code == 422
    assert response.context["form"].errors["enterprises"] == [
        "Choose at least one enterprise or unit to push the notice to."
    ]
    assert not Notice.objects.exists()


def test_the_push_form_offers_only_the_enterprises_of_the_officers_area(client, officer_a, firms):
    client.force_login(officer_a)
    page = client.get(reverse("enterprise_notices:new")).content.decode()
    assert "甲一食品" in page and "乙一超市" not in page
    response = client.post(
        reverse("enterprise_notices:new"), _form(firms, enterprises=[firms["b"].pk])
    )
    assert response.status_code == 422
    assert not Notice.objects.exists()


def test_the_push_form_attaches_files(client, officer_a, firms, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(officer_a)
    files = [SimpleUploadedFile("方案.pdf", b"%PDF-1"), SimpleUploadedFile("名单.xlsx", b"PK..")]
    client.post(reverse("enterprise_notices:new"), {**_form(firms), "attachments": files})
    assert sorted(Notice.objects.get().attachments.values_list("original_name", flat=True)) == [
        "名单.xlsx",
        "方案.pdf",
    ]


def test_the_liaison_confirms_with_the_big_button_and_twice_is_once(client, officer_a, firms):
    liaison = liaison_of(firms["a1"])
    notice = notice_make(unit=officer_a.staff_profile.unit, enterprises=[firms["a1"], firms["a2"]])
    receipt = notice.receipts.get(enterprise=firms["a1"])
    client.force_login(liaison)
    page = client.get(reverse("enterprise_notices:list")).content.decode()
    confirm = reverse("enterprise_notices:confirm", args=[receipt.pk])
    assert f'action="{confirm}"' in page
    assert "confirm-button" in page
    response = client.post(confirm, follow=True)
    assert response.redirect_chain[-1][0] == reverse("enterprise_notices:list")
    receipt.refresh_from_db()
    confirmed_at = receipt.confirmed_at
    assert receipt.confirmed_by == liaison
    assert client.post(confirm).status_code == 302
    receipt.refresh_from_db()
    assert receipt.confirmed_at == confirmed_at
    assert (
        f'action="{confirm}"' not in client.get(reverse("enterprise_notices:list")).content.decode()
    )


def test_a_liaison_confirming_another_enterprises_receipt_gets_a_404(client, officer_a, firms):
    liaison = liaison_of(firms["a1"])
    notice = notice_make(unit=officer_a.staff_profile.unit, enterprises=[firms["a1"], firms["a2"]])
    other = notice.receipts.get(enterprise=firms["a2"])
    client.force_login(liaison)
    assert client.post(reverse("enterprise_notices:confirm", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.confirmed_at is None


def test_a_liaison_sees_neither_other_notices_nor_other_receipts(client, officer_a, firms):
    liaison = liaison_of(firms["a1"])
    own = notice_make(unit=officer_a.staff_profile.unit, enterprises=[firms["a1"], firms["a2"]])
    other = notice_make(unit=officer_a.staff_profile.unit, enterprises=[firms["a2"]])
    client.force_login(liaison)
    page = client.get(own.get_absolute_url()).content.decode()
    assert "甲二物流" not in page
    assert client.get(other.get_absolute_url()).status_code == 404
    assert other.title not in client.get(reverse("enterprise_notices:list")).content.decode()


def test_a_superseded_notice_is_marked_in_the_list_and_on_its_page(client, officer_a, firms):
    liaison = liaison_of(firms["a1"])
    unit = officer_a.staff_profile.unit
    old = notice_make(unit=unit, enterprises=[firms["a1"]], title="第一版通知")
    new = notice_make(
        unit=unit, enterprises=[firms["a1"]], title="第二版通知", supersedes=old, version=2
    )
    for user in (officer_a, liaison):
        client.force_login(user)
        listing = client.get(reverse("enterprise_notices:list")).content.decode()
        assert "Replaced by a newer version" in listing or 'data-testid="superseded"' in listing
        page = client.get(old.get_absolute_url()).content.decode()
        assert 'data-testid="superseded"' in page
        assert f'href="{new.get_absolute_url()}"' in page
    # The liaison is not asked to confirm the replaced version.
    receipt = old.receipts.get()
    assert reverse("enterprise_notices:confirm", args=[receipt.pk]) not in page


def test_the_officer_escalates_by_hand_and_sees_the_step(client, officer_a, firms):
    notice = notice_make(unit=officer_a.staff_profile.unit, enterprises=[firms["a1"]])
    receipt = notice.receipts.get()
    client.force_login(officer_a)
    response = client.post(reverse("enterprise_notices:escalate", args=[receipt.pk]), follow=True)
    assert response.status_code == 200
    step = NoticeEscalation.objects.get(receipt=receipt)
    assert (step.step, step.by) == (EscalationStep.INBOX, officer_a)
    assert "Inbox reminder to the liaison" in response.content.decode()


def test_a_leader_who_may_not_escalate_is_shown_no_button(client, district, firms):
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station)
    notice = notice_make(unit=district.station, enterprises=[firms["a1"]])
    client.force_login(leader)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="escalate"' not in page
    receipt = notice.receipts.get()
    assert client.post(reverse("enterprise_notices:escalate", args=[receipt.pk])).status_code == 404


def test_the_officer_records_the_call_from_the_calls_list(client, officer_a, firms):
    notice = notice_make(unit=officer_a.staff_profile.unit, enterprises=[firms["a1"]])
    receipt = notice.receipts.get()
    NoticeReceipt.objects.filter(pk=receipt.pk).update(
        escalation_level=EscalationLevel.CALL, escalated_at=timezone.now(), call_officer=officer_a
    )
    client.force_login(officer_a)
    calls = client.get(reverse("enterprise_notices:calls") + "?mine=1").content.decode()
    call_url = reverse("enterprise_notices:call", args=[receipt.pk])
    assert call_url in calls
    response = client.post(call_url, {"confirmed": "", "note": ""})
    assert response.status_code == 422
    assert "Say what the call gave" in response.content.decode()
    client.post(call_url, {"confirmed": "on", "note": "王经理已确认"})
    receipt.refresh_from_db()
    assert receipt.confirmed_at is not None and receipt.call_done_at is not None
    assert client.get(call_url).status_code == 404  # no call waits any more


def test_the_attachment_downloads_for_the_recipient_and_is_a_404_for_another(
    client, district, firms, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    attachment = attachment_in(district.grid_a1)
    enterprise = attachment.notice.receipts.get().enterprise
    client.force_login(liaison_of(enterprise))
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(liaison_of(firms["a1"]))
    assert client.get(attachment.get_absolute_url()).status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(
    client, officer_a, firms, django_assert_max_num_queries
):
    for number in range(8):
        notice_make(
            unit=officer_a.staff_profile.unit,
            enterprises=[firms["a1"], firms["a2"]],
            title=f"通知{number}",
        )
    client.force_login(officer_a)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("enterprise_notices:list"))
    assert len(response.context["object_list"]) == 8
    assert response.context["object_list"][0].n_unconfirmed == 2


def test_the_liaison_finds_the_notices_in_the_menu(client, district, firms):
    client.force_login(liaison_of(firms["a1"]))
    menu = {item["url"] for item in client.get(reverse("home")).context["nav_items"]}
    assert reverse("enterprise_notices:list") in menu


def test_the_enterprise_panel_lists_its_receipts_for_whoever_sees_them(officer_a, firms):
    from django.template.loader import render_to_string

    from outpost.enterprises.notices.panel import PANEL_TEMPLATE, notices_panel

    notice_make(unit=officer_a.staff_profile.unit, enterprises=[firms["a1"]], title="测温通知")
    context = notices_panel(user=officer_a, enterprise=firms["a1"])
    assert "测温通知" in render_to_string(PANEL_TEMPLATE, context)
    assert notices_panel(user=officer_a, enterprise=firms["a2"]) is None
    assert notices_panel(user=liaison_of(firms["a2"]), enterprise=firms["a1"]) is None
