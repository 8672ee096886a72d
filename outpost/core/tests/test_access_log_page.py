"""The access log is usable: filtered by days, user, action, unit and record; fields by the
names staff know; one card per entry on a phone; exported as xlsx, the export itself
logged."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from outpost.core.choices import AccessAction, RevealPurpose, Role
from outpost.core.models import AccessLog
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _entry(actor, *, days_ago=0, action=AccessAction.REVEAL, **values):
    values = {
        "model_label": "registry.Resident",
        "object_id": "7",
        "subject": "张三",
        "fields": ["id_number", "phone"],
        "reason": "核实返连人员身份",
        **values,
    }
    return AccessLog.objects.create(
        actor=actor,
        action=action,
        at=timezone.now() - datetime.timedelta(days=days_ago),
        **values,
    )


@pytest.fixture
def entries(district, officer_a, grid_worker_a1):
    officer_b = staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="ob")
    return {
        "today": _entry(officer_a, subject="今天的记录"),
        "old": _entry(officer_a, days_ago=10, subject="十天前的记录"),
        "call": _entry(
            grid_worker_a1,
            subject="网格员的电话",
            fields=["phone"],
            purpose=RevealPurpose.PHONE_CONTACT,
            reason="",
        ),
        "export": _entry(
            officer_b,
            action=AccessAction.EXPORT,
            subject="乙社区台账",
            model_label="registry.Household",
            object_id="",
            row_count=40,
        ),
        "other_record": _entry(officer_a, subject="另一个居民", object_id="8"),
    }


def _subjects(client, admin_user, **query) -> set[str]:
    client.force_login(admin_user)
    response = client.get(reverse("core:access_log"), query)
    assert response.status_code == 200
    return {entry.subject for entry in response.context["entries"]}


def test_the_log_is_filtered_by_days(client, admin_user, entries):
    today = timezone.localdate()
    since = (today - datetime.timedelta(days=11)).isoformat()
    until = (today - datetime.timedelta(days=9)).isoformat()

    assert _subjects(client, admin_user, since=since, until=until) == {"十天前的记录"}
    assert "十天前的记录" not in _subjects(client, admin_user, since=today.isoformat())


def test_the_log_is_filtered_by_user_action_and_unit(client, admin_user, district, entries):
    assert _subjects(client, admin_user, user="grid_a1") == {"网格员的电话"}
    assert _subjects(client, admin_user, action="export") == {"乙社区台账"}
    assert _subjects(client, admin_user, unit=district.community_b.pk) == {"乙社区台账"}
    assert "乙社区台账" not in _subjects(client, admin_user, unit=district.community_a.pk)


def test_the_log_is_filtered_by_record(client, admin_user, entries):
    subjects = _subjects(client, admin_user, record_type="registry.Resident", record="8")

    assert subjects == {"另一个居民"}


def test_a_unit_outside_the_users_scope_is_not_found(client, district, officer_a, entries):
    leader_b = staff_user(role=Role.STATION_LEADER, unit=district.community_b, username="lb")
    client.force_login(leader_b)

    response = client.get(reverse("core:access_log"), {"unit": district.community_a.pk})

    assert response.status_code == 404


def test_the_log_names_fields_records_and_purposes_as_staff_know_them(client, admin_user, entries):
    client.force_login(admin_user)

    page = client.get(reverse("core:access_log")).content.decode()

    assert "ID number" in page and "id_number" not in page.split("<tbody>")[1]
    assert "resident" in page  # the record type, not registry.Resident
    assert "Phone contact" in page


def test_the_log_is_one_card_per_entry_on_a_phone(client, admin_user, entries):
    client.force_login(admin_user)

    page = client.get(reverse("core:access_log")).content.decode()

    assert 'class="table responsive access-log"' in page
    assert 'data-label="Purpose"' in page


def test_the_export_writes_the_filtered_log_and_is_itself_logged(
    client, admin_user, entries, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_user)

    response = client.post(
        reverse("core:access_log_export"),
        {"action": "reveal", "export-purpose": "other", "export-reason": "季度访问审计"},
    )

    assert response.status_code == 302
    run_queued_tasks()
    status = client.get(response["Location"])
    download = client.get(reverse("core:export_download", args=[status.context["export"].id]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)][:-1]
    assert {row[7] for row in rows} == {"今天的记录", "十天前的记录", "网格员的电话", "另一个居民"}
    call = next(row for row in rows if row[7] == "网格员的电话")
    assert (call[8], call[10]) == ("phone", "Phone contact")
    log = AccessLog.objects.get(action=AccessAction.EXPORT, actor=admin_user)
    assert (log.model_label, log.row_count, log.reason) == ("core.AccessLog", 4, "季度访问审计")


def test_an_export_without_a_reason_is_refused_naming_the_field(client, admin_user, entries):
    client.force_login(admin_user)

    response = client.post(
        reverse("core:access_log_export"), {"export-purpose": "other", "export-reason": ""}
    )

    assert response.status_code == 422
    assert "The purpose in your words (needed for Other): State the reason" in (
        response.content.decode()
    )
    assert not AccessLog.objects.filter(actor=admin_user).exists()


def test_the_export_is_closed_to_roles_without_the_log(client, grid_worker_a1):
    client.force_login(grid_worker_a1)

    response = client.post(
        reverse("core:access_log_export"),
        {"export-purpose": "other", "export-reason": "季度访问审计"},
    )

    assert response.status_code == 403


def test_an_export_of_a_unit_outside_the_users_scope_is_not_found(client, district):
    leader_b = staff_user(role=Role.STATION_LEADER, unit=district.community_b, username="lb")
    client.force_login(leader_b)

    response = client.post(
        reverse("core:access_log_export"),
        {
            "unit": district.community_a.pk,
            "export-purpose": "other",
            "export-reason": "季度访问审计",
        },
    )

    assert response.status_code == 404
    assert not AccessLog.objects.exists()
