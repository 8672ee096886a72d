"""Purpose on export (导出目的): every export and reveal records its purpose from one fixed
list (presets, "other" with words); the export form asks for it, a missing one is a 4xx
naming the field, it is kept on the export request and its access-log row, and the access
log is filtered and exported by purpose."""

import io
import json

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from outpost.core.choices import AccessAction, AccessPurpose, Role
from outpost.core.models import AccessLog
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def resident(district):
    return ResidentFactory(
        household=HouseholdFactory(unit=district.grid_a1),
        id_number="210204199003070012",
        phone="13845678901",
    )


def _ledger(client, **data):
    return client.post(
        reverse("registry:export"),
        {"kind": "residents", "unit": data.pop("unit"), **data},
    )


def test_the_export_form_offers_the_export_purposes(client, officer_a):
    client.force_login(officer_a)

    page = client.get(reverse("registry:export")).content.decode()

    assert "导出目的" in page
    for label in ("上报上级", "工作台账", "核查比对", "上级调度", "其他"):
        assert label in page
    assert 'value="verify_identity"' not in page  # a reveal's purpose, not an export's


def test_an_export_without_a_purpose_is_refused_naming_the_field(client, officer_a, district):
    client.force_login(officer_a)

    response = _ledger(client, unit=district.community_a.pk, reason="社区排查")

    assert response.status_code == 422
    assert "导出目的: 请选择目的。" in response.content.decode()
    assert not DBTaskResult.objects.exists()


def test_a_reveal_purpose_is_not_an_export_purpose(client, officer_a, district):
    client.force_login(officer_a)

    response = _ledger(client, unit=district.community_a.pk, purpose="verify_identity")

    assert response.status_code == 422
    assert not DBTaskResult.objects.exists()


def test_a_preset_purpose_is_kept_on_the_request_and_its_access_log_row(
    client, officer_a, district, resident
):
    client.force_login(officer_a)

    response = _ledger(client, unit=district.community_a.pk, purpose="work_ledger")

    assert response.status_code == 302
    task = DBTaskResult.objects.get()
    assert (task.args_kwargs["kwargs"]["purpose"], task.args_kwargs["kwargs"]["reason"]) == (
        "work_ledger",
        "",
    )
    run_queued_tasks()
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (entry.purpose, entry.reason) == (AccessPurpose.WORK_LEDGER, "")
    assert "工作台账" in client.get(response["Location"]).content.decode()


def test_other_needs_the_purpose_in_words(client, officer_a, district, resident):
    client.force_login(officer_a)

    refused = _ledger(client, unit=district.community_a.pk, purpose="other", reason="")
    accepted = _ledger(client, unit=district.community_a.pk, purpose="other", reason="区指挥部抽查")

    assert refused.status_code == 422
    assert accepted.status_code == 302
    run_queued_tasks()
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (entry.purpose, entry.reason) == (AccessPurpose.OTHER, "区指挥部抽查")


def test_the_api_reveal_requires_a_reveal_purpose(client, officer_a, resident):
    client.force_login(officer_a)
    url = f"/api/v1/registry/residents/{resident.pk}/reveal"

    missing = client.post(url, json.dumps({"reason": "核实"}), content_type="application/json")
    wrong = client.post(
        url, json.dumps({"purpose": "work_ledger"}), content_type="application/json"
    )
    preset = client.post(
        url, json.dumps({"purpose": "phone_contact"}), content_type="application/json"
    )

    assert missing.status_code == 422
    assert [error["field"] for error in missing.json()["errors"]] == ["purpose"]
    assert wrong.status_code == 422
    assert preset.status_code == 200
    assert AccessLog.objects.get().purpose == AccessPurpose.PHONE_CONTACT


# ---------------------------------------------------------------------------- the access log


@pytest.fixture
def logged(district, officer_a):
    for purpose, subject in (
        (AccessPurpose.PHONE_CONTACT, "电话联系张三"),
        (AccessPurpose.VERIFY_IDENTITY, "核查李四"),
        (AccessPurpose.REPORT_UP, "上报台账"),
    ):
        AccessLog.objects.create(
            actor=officer_a,
            action=AccessAction.EXPORT
            if purpose == AccessPurpose.REPORT_UP
            else AccessAction.REVEAL,
            model_label="registry.Resident",
            subject=subject,
            purpose=purpose,
        )


@pytest.fixture
def leader(district):
    return staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")


def test_the_access_log_is_filtered_by_purpose(client, leader, logged):
    client.force_login(leader)

    page = client.get(reverse("core:access_log"), {"purpose": "phone_contact"}).content.decode()

    assert "电话联系张三" in page
    assert "核查李四" not in page and "上报台账" not in page


def test_the_access_log_export_is_filtered_by_purpose_and_asks_its_own(client, leader, logged):
    client.force_login(leader)
    url = reverse("core:access_log_export")

    refused = client.post(url, {"purpose": "verify_identity"})
    response = client.post(url, {"purpose": "verify_identity", "export-purpose": "cross_check"})

    assert refused.status_code == 422
    assert "导出目的: 请选择目的。" in refused.content.decode()
    assert response.status_code == 302
    run_queued_tasks()
    export_id = response["Location"].rstrip("/").split("/")[-1]
    download = client.get(reverse("core:export_download", args=[export_id]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)][:-1]
    assert [(row[7], row[10]) for row in rows] == [("核查李四", "核查身份")]
    own = AccessLog.objects.get(actor=leader)
    assert (own.model_label, own.purpose) == ("core.AccessLog", AccessPurpose.CROSS_CHECK)
