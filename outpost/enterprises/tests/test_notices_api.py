"""The notices' API (/api/v1/enterprises/notices…): scoped like the pages; a liaison sees only
the notices pushed to it and confirms only its own receipt."""

import datetime
import json

import pytest
from django.utils import timezone

from outpost.enterprises.notices.models import Notice, NoticeEscalation
from outpost.enterprises.tests.factories import EnterpriseFactory, liaison_of
from outpost.enterprises.tests.factories_notices import notice_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BASE = "/api/v1/enterprises/notices"


@pytest.fixture
def firms(district):
    return {
        "a1": EnterpriseFactory(unit=district.grid_a1, name="甲一食品"),
        "a2": EnterpriseFactory(unit=district.grid_a1, name="甲二物流"),
        "b": EnterpriseFactory(unit=district.grid_b1, name="乙一超市"),
    }


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _push_body(**fields):
    body = {
        "title": "关于复工复产的通知",
        "body": "请各企业落实体温检测。",
        "source_authority": "市防控指挥部",
        "deadline": (timezone.now() + datetime.timedelta(days=1)).isoformat(),
    }
    body.update(fields)
    return body


def test_a_liaison_lists_only_the_notices_pushed_to_it(client, officer_a, firms):
    unit = officer_a.staff_profile.unit
    own = notice_make(unit=unit, enterprises=[firms["a1"], firms["a2"]])
    notice_make(unit=unit, enterprises=[firms["a2"]])
    client.force_login(liaison_of(firms["a1"]))
    items = client.get(BASE).json()["items"]
    assert [(item["id"], item["confirmed"], item["unconfirmed"]) for item in items] == [
        (own.pk, 0, 1)
    ]
    detail = client.get(f"{BASE}/{own.pk}").json()
    assert [receipt["enterprise_name"] for receipt in detail["receipts"]] == ["甲一食品"]


def test_a_liaison_confirms_its_own_receipt_once_and_another_is_a_404(client, officer_a, firms):
    notice = notice_make(unit=officer_a.staff_profile.unit, enterprises=[firms["a1"], firms["a2"]])
    own, other = (
        notice.receipts.get(enterprise=firms["a1"]),
        notice.receipts.get(enterprise=firms["a2"]),
    )
    client.force_login(liaison_of(firms["a1"]))
    first = _post(client, f"{BASE}/receipts/{own.pk}/confirm")
    assert first.status_code == 200
    assert first.json()["confirmed_via"] == "liaison"
    second = _post(client, f"{BASE}/receipts/{own.pk}/confirm")
    assert second.json()["confirmed_at"] == first.json()["confirmed_at"]
    refused = _post(client, f"{BASE}/receipts/{other.pk}/confirm")
    assert refused.status_code == 404
    assert refused.json()["detail"] == "No such record."
    other.refresh_from_db()
    assert other.confirmed_at is None


def test_a_liaison_may_not_escalate(client, officer_a, firms):
    notice = notice_make(unit=officer_a.staff_profile.unit, enterprises=[firms["a1"]])
    client.force_login(liaison_of(firms["a1"]))
    response = _post(client, f"{BASE}/receipts/{notice.receipts.get().pk}/escalate")
    assert response.status_code == 404
    assert not NoticeEscalation.objects.exists()


def test_the_officer_pushes_and_escalates(client, officer_a, district, firms):
    client.force_login(officer_a)
    response = _post(client, BASE, _push_body(unit_ids=[district.grid_a1.pk]))
    assert response.status_code == 201
    notice = Notice.objects.get(pk=response.json()["id"])
    assert response.json()["unconfirmed"] == 2
    receipt = notice.receipts.first()
    escalated = _post(client, f"{BASE}/receipts/{receipt.pk}/escalate").json()
    assert escalated["escalation_level"] == 1
    assert [step["step"] for step in escalated["escalations"]] == ["inbox"]


def test_a_push_without_recipients_is_a_422_naming_the_field(client, officer_a):
    client.force_login(officer_a)
    response = _post(client, BASE, _push_body())
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "enterprise_ids",
            "message": "Choose at least one enterprise or unit to push the notice to.",
        }
    ]
    assert not Notice.objects.exists()


def test_a_push_to_an_enterprise_of_another_community_is_a_404(client, officer_a, firms):
    client.force_login(officer_a)
    response = _post(client, BASE, _push_body(enterprise_ids=[firms["a1"].pk, firms["b"].pk]))
    assert response.status_code == 404
    assert not Notice.objects.exists()


def test_receipts_filter_by_confirmation(client, officer_a, firms):
    notice = notice_make(unit=officer_a.staff_profile.unit, enterprises=[firms["a1"], firms["a2"]])
    liaison = liaison_of(firms["a1"])
    client.force_login(liaison)
    _post(client, f"{BASE}/receipts/{notice.receipts.get(enterprise=firms['a1']).pk}/confirm")
    client.force_login(officer_a)
    unconfirmed = client.get(f"{BASE}/receipts?confirmed=false&notice_id={notice.pk}").json()
    assert [item["enterprise_name"] for item in unconfirmed["items"]] == ["甲二物流"]
