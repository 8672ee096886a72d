"""The import pages: upload → columns → check (background task) → preview → import."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from outpost.core.choices import ImportStatus
from outpost.core.models import ImportColumnMemory, ImportJob
from outpost.core.tests.factories import ImportJobFactory
from outpost.core.tests.imports_support import (
    HEADINGS,
    person,
    registry_counts,
    write_xlsx,
)
from outpost.core.tests.worker import run_queued_tasks
from outpost.core.workers import dead_workers_sweep
from outpost.registry.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_pages(import_settings, client, settings):
    """Pages in English too: the import settings (messages in English, uploads in tmp_path,
    tasks at once) and the language cookie."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _upload(client, district, path, unit=None):
    with path.open("rb") as handle:
        return client.post(
            reverse("core:import_list"),
            {
                "file": handle,
                "unit": (unit or district.community_a).pk,
                "kind": "registry.residents",
            },
        )


def _confirm_columns(client, job, **choices):
    data = {f"col_{i}": f for i, f in job.mapping.items()}
    data.update(choices)
    return client.post(reverse("core:import_mapping", args=[job.pk]), data)


def test_an_officer_uploads_checks_and_imports_a_file_with_errors(
    client, officer_a, district, tmp_path
):
    client.force_login(officer_a)
    bad = person(3)
    bad[1] = bad[1][:17] + ("0" if bad[1][17] != "0" else "1")
    path = write_xlsx(tmp_path / "居民.xlsx", [["登记表"], HEADINGS, person(1), person(2), bad])

    response = _upload(client, district, path)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    # The worker reads the file (a task, immediate here); the job's page leads on.
    assert response["Location"] == reverse("core:import_detail", args=[job.pk])
    assert client.get(response["Location"])["Location"] == reverse(
        "core:import_mapping", args=[job.pk]
    )

    page = client.get(reverse("core:import_mapping", args=[job.pk])).content.decode()
    assert "身份证号" in page and 'value="id_number" selected' in page

    response = _confirm_columns(client, job)
    assert response["Location"] == reverse("core:import_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED  # the check ran as a (immediate) task
    assert (job.total_rows, job.valid_rows, job.error_count) == (3, 2, 1)

    page = client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    assert "身份证号 (B)" in page and "wrong check character" in page
    assert "Skip the 1 row with errors" in page

    report = client.get(reverse("core:import_errors", args=[job.pk]))
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    assert list(sheet.iter_rows(values_only=True))[1][:2] == (5, "身份证号 (B)")

    before = registry_counts()
    client.post(reverse("core:import_detail", args=[job.pk]), {"action": "commit"})
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and registry_counts() == before

    client.post(
        reverse("core:import_detail", args=[job.pk]), {"action": "commit", "skip_bad_rows": "1"}
    )
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.created_count == 2
    assert Resident.objects.count() == 2
    assert (
        "Imported at" in client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    )


def test_the_check_runs_on_the_database_queue_through_the_real_worker(
    settings, officer_a, district, client, tmp_path
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    client.force_login(officer_a)
    _upload(client, district, write_xlsx(tmp_path / "a.xlsx", [HEADINGS, person(1)]))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.READING and not job.headers  # the request read nothing
    mapping_page = client.get(reverse("core:import_mapping", args=[job.pk]))
    assert mapping_page["Location"] == reverse("core:import_detail", args=[job.pk])
    detail = reverse("core:import_detail", args=[job.pk])
    reading = client.get(detail, headers={"HX-Request": "true"}).content.decode()
    assert "Reading the file…" in reading and 'hx-trigger="every 1s"' in reading
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED and job.mapping
    # The polling fragment takes the browser on to the columns.
    columns = reverse("core:import_mapping", args=[job.pk])
    assert client.get(detail, headers={"HX-Request": "true"})["HX-Redirect"] == columns
    _confirm_columns(client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATING

    fragment = client.get(
        reverse("core:import_detail", args=[job.pk]), headers={"HX-Request": "true"}
    )
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()

    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and job.valid_rows == 1
    fragment = client.get(
        reverse("core:import_detail", args=[job.pk]), headers={"HX-Request": "true"}
    )
    assert "every 1s" not in fragment.content.decode()

    client.post(reverse("core:import_detail", args=[job.pk]), {"action": "commit"})
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Resident.objects.count() == 1


def test_an_import_whose_worker_died_is_offered_again_and_imports(
    settings, officer_a, district, client, tmp_path
):
    client.force_login(officer_a)
    _upload(client, district, write_xlsx(tmp_path / "a.xlsx", [HEADINGS, person(1)]))
    job = ImportJob.objects.get()
    _confirm_columns(client, job)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    page = reverse("core:import_detail", args=[job.pk])
    client.post(page, {"action": "commit"})
    # The worker claimed the import, then was killed (no heartbeat for two minutes).
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING,
        worker_ids=["killed"],
        started_at=timezone.now() - datetime.timedelta(minutes=2),
    )

    with translation.override("en"):  # the language the message is stored in
        dead_workers_sweep()

    content = client.get(page).content.decode()
    assert "nothing was imported. You can import again" in content
    assert "Import 1 row" in content
    client.post(page, {"action": "commit"})
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Resident.objects.count() == 1


def test_a_check_whose_worker_died_can_be_run_again_from_its_page(
    settings, officer_a, district, client, tmp_path
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    client.force_login(officer_a)
    _upload(client, district, write_xlsx(tmp_path / "a.xlsx", [HEADINGS, person(1)]))
    run_queued_tasks()  # the worker reads the file
    job = ImportJob.objects.get()
    _confirm_columns(client, job)
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=["killed"],
        started_at=timezone.now() - datetime.timedelta(minutes=2),
    )

    with translation.override("en"):  # the language the message is stored in
        dead_workers_sweep()

    page = reverse("core:import_detail", args=[job.pk])
    content = client.get(page).content.decode()
    assert "Check them again" in content and 'value="check"' in content
    client.post(page, {"action": "check"})
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and job.valid_rows == 1


def test_a_mapping_chosen_by_hand_is_remembered(officer_a, district, client, tmp_path):
    client.force_login(officer_a)
    rows = [["居民名称", "身份证号"], ["张三", person(1)[1]]]
    _upload(client, district, write_xlsx(tmp_path / "a.xlsx", rows))
    job = ImportJob.objects.get()
    assert job.mapping == {"1": "id_number"}

    _confirm_columns(client, job, col_0="name")

    memory = ImportColumnMemory.objects.get()
    assert (memory.kind, memory.heading, memory.field) == ("registry.residents", "居民名称", "name")
    _upload(client, district, write_xlsx(tmp_path / "b.xlsx", rows))
    assert ImportJob.objects.latest("pk").mapping == {"0": "name", "1": "id_number"}


def test_a_mapping_without_the_required_name_is_refused(officer_a, district, client, tmp_path):
    client.force_login(officer_a)
    _upload(client, district, write_xlsx(tmp_path / "a.xlsx", [HEADINGS, person(1)]))
    job = ImportJob.objects.get()

    response = _confirm_columns(client, job, col_0="")

    assert response.status_code == 422
    assert "Choose the column that holds “Name”" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_uploading_garbage_fails_the_import_saying_why_on_its_page(
    officer_a, district, client, tmp_path
):
    client.force_login(officer_a)
    path = tmp_path / "garbage.xlsx"
    path.write_bytes(bytes(range(256)) * 400)

    response = _upload(client, district, path)

    job = ImportJob.objects.get()
    assert response["Location"] == reverse("core:import_detail", args=[job.pk])
    assert job.status == ImportStatus.FAILED
    assert "neither an Excel workbook" in client.get(response["Location"]).content.decode()


def test_a_unit_outside_the_users_jurisdiction_cannot_be_chosen(
    officer_a, district, client, tmp_path
):
    client.force_login(officer_a)
    path = write_xlsx(tmp_path / "a.xlsx", [HEADINGS, person(1)])
    response = _upload(client, district, path, unit=district.community_b)
    assert response.status_code == 422
    assert ImportJob.objects.count() == 0


def test_a_grid_worker_cannot_open_the_import_pages(client, grid_worker_a1, district):
    job = ImportJobFactory(unit=district.grid_a1)
    client.force_login(grid_worker_a1)
    assert client.get(reverse("core:import_list")).status_code == 403
    for name in ("core:import_detail", "core:import_mapping", "core:import_errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert (
        client.post(reverse("core:import_detail", args=[job.pk]), {"action": "commit"}).status_code
        == 404
    )
    assert "Imports" not in client.get(reverse("home")).content.decode()


def test_another_communitys_import_is_not_found(client, officer_a, district):
    job = ImportJobFactory(unit=district.grid_b1)
    client.force_login(officer_a)
    response = client.post(reverse("core:import_detail", args=[job.pk]), {"action": "commit"})
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED


def test_choosing_another_sheet_reads_its_header(officer_a, district, client, tmp_path):
    client.force_login(officer_a)
    path = write_xlsx(
        tmp_path / "book.xlsx",
        [HEADINGS, person(1)],
        sheet="甲",
        extra_sheets={"乙": [["说明"], ["姓名", "手机"], ["张三", "13900000001"]]},
    )
    _upload(client, district, path)
    job = ImportJob.objects.get()
    assert job.sheet_name == "甲"
    page = client.get(reverse("core:import_mapping", args=[job.pk])).content.decode()
    assert '<option value="乙"' in page

    client.post(reverse("core:import_mapping", args=[job.pk]), {"action": "sheet", "sheet": "乙"})

    job.refresh_from_db()
    assert (job.sheet_name, job.header_row, job.mapping) == ("乙", 2, {"0": "name", "1": "phone"})


def test_a_role_that_may_not_write_residents_cannot_import_them(client, district, tmp_path):
    from outpost.core.choices import Role
    from outpost.core.tests.factories import staff_user

    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    client.force_login(leader)
    page = client.get(reverse("core:import_list"))
    assert page.status_code == 200
    # The leader imports the 110 system's incident counts (public order), not residents.

    response = _upload(client, district, write_xlsx(tmp_path / "a.xlsx", [HEADINGS, person(1)]))

    assert response.status_code == 422
    assert ImportJob.objects.count() == 0


def test_rows_that_became_invalid_since_the_preview_stop_the_import(
    officer_a, district, client, tmp_path
):
    from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

    client.force_login(officer_a)
    _upload(client, district, write_xlsx(tmp_path / "a.xlsx", [HEADINGS, person(1), person(2)]))
    job = ImportJob.objects.get()
    _confirm_columns(client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and job.error_count == 0
    # Meanwhile person 2 is registered in community B, which officer A cannot see.
    ResidentFactory(household=HouseholdFactory(unit=district.grid_b1), id_number=person(2)[1])
    before = registry_counts()

    client.post(reverse("core:import_detail", args=[job.pk]), {"action": "commit"})

    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert "1 row has errors; nothing was imported." in job.failure
    assert job.error_count == 1
    assert registry_counts() == before
