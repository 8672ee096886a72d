"""The employee list and a day's tests from a spreadsheet, through the core import
pipeline: every problem named by its row, nothing half-written."""

import datetime

import pytest
from django.core.files import File
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import ImportStatus
from outpost.core.imports.services import import_job_create
from outpost.core.imports.steps import import_job_commit, import_job_inspect, import_job_validate
from outpost.core.models import ImportJob
from outpost.core.tests.imports_support import write_xlsx
from outpost.enterprises.choices_employees import EmployeeOrigin
from outpost.enterprises.models.employees import DailyTestReport, Employee, EmployeeTest
from outpost.enterprises.tests.factories import liaison_of
from outpost.enterprises.tests.factories_employees import EmployeeFactory, essential_enterprise
from outpost.observation.models import Alert

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_settings")]

EXCEL_EPOCH = datetime.date(1899, 12, 30)


def _run(user, unit, path, kind, skip_bad_rows=False):
    with path.open("rb") as handle:
        job = import_job_create(
            acting_user=user,
            kind=kind,
            unit=unit,
            file=File(handle, name=path.name),
            original_name=path.name,
            queue=False,
        )
    job = import_job_inspect(acting_user=user, job=job)
    validation = import_job_validate(acting_user=user, job=job)
    if validation is not None and (not validation.errors or skip_bad_rows):
        job.skip_bad_rows = skip_bad_rows
        job.save(update_fields=["skip_bad_rows"])
        import_job_commit(acting_user=user, job=job, validation=validation)
    job.refresh_from_db()
    return job


@pytest.fixture
def plant(district):
    return essential_enterprise(district.grid_a1)


@pytest.fixture
def liaison(plant):
    return liaison_of(plant)


@pytest.fixture
def staff(plant):
    return [EmployeeFactory(enterprise=plant) for _n in range(4)]


def _errors(job):
    return {(e["row"], e["message"]) for e in job.first_errors}


def test_a_days_tests_with_bad_rows_name_each_row_and_write_nothing(
    tmp_path, plant, liaison, staff
):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    wrong = staff[1].id_number[:-1] + ("1" if staff[1].id_number[-1] != "1" else "2")
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in staff[2].id_number)
    rows = [
        ["身份证号", "姓名", "体温", "检测结果", "日期"],
        [staff[0].id_number, staff[0].name, 36.5, "阴性", today.isoformat()],  # row 2
        [wrong, "", 36.6, "阴性", today.isoformat()],  # row 3: check character
        [full_width, "", "36.7", "阴性", (today - EXCEL_EPOCH).days],  # row 4: fine
        [None, None, None, None, None],  # row 5: blank, skipped
        [staff[3].id_number, "", 36.5, "阴性", f"{yesterday:%Y年%m月%d日}"],  # row 6: fine
        [staff[0].id_number, "", 36.8, "阴性", today.isoformat()],  # row 7: twice today
        [staff[3].id_number, "", 36.5, "阴性", (today + datetime.timedelta(days=1)).isoformat()],
    ]
    job = _run(
        liaison, plant.unit, write_xlsx(tmp_path / "day.xlsx", rows), "enterprises.employee_tests"
    )
    assert job.status == ImportStatus.VALIDATED
    rows_with_errors = {e["row"] for e in job.first_errors}
    assert rows_with_errors == {3, 7, 8}
    assert job.total_rows == 6
    assert not EmployeeTest.objects.exists()
    assert not DailyTestReport.objects.exists()


def test_a_days_tests_import_stores_the_day_and_raises_the_fever(tmp_path, plant, liaison, staff):
    today = timezone.localdate()
    rows = [["身份证号", "体温", "检测结果"]] + [
        [employee.id_number, 38.1 if n == 0 else 36.4, "阴性"] for n, employee in enumerate(staff)
    ]
    job = _run(
        liaison, plant.unit, write_xlsx(tmp_path / "day.xlsx", rows), "enterprises.employee_tests"
    )
    assert job.status == ImportStatus.DONE, job.first_errors
    report = DailyTestReport.objects.get(enterprise=plant, day=today)
    assert (report.reported, report.fevers, report.source) == (4, 1, "import")
    assert Alert.objects.count() == 1
    assert EmployeeTest.objects.get(employee=staff[0]).alert is not None


def test_the_employee_list_import_creates_and_updates(tmp_path, plant, liaison, staff):
    from outpost.enterprises.tests.factories_employees import id_number

    new = id_number(500, birth="19920202")
    rows = [
        ["姓名", "身份证号", "手机号", "人员类别", "返岗来源地"],
        ["新员工", new, "13911112222", "外地返岗", "湖北孝感"],
        [staff[0].name, staff[0].id_number, "13900000000", "本地", ""],
        ["错号", new[:-1] + ("1" if new[-1] != "1" else "2"), "", "本地", ""],
    ]
    job = _run(
        liaison, plant.unit, write_xlsx(tmp_path / "list.xlsx", rows), "enterprises.employees"
    )
    assert {e["row"] for e in job.first_errors} == {4}
    assert not Employee.objects.filter(name="新员工").exists()
    job = _run(
        liaison,
        plant.unit,
        write_xlsx(tmp_path / "list2.xlsx", rows),
        "enterprises.employees",
        skip_bad_rows=True,
    )
    assert job.status == ImportStatus.DONE
    created = Employee.objects.get(name="新员工")
    assert (created.origin, created.returned_from, created.phone) == (
        EmployeeOrigin.RETURNED,
        "湖北孝感",
        "13911112222",
    )
    staff[0].refresh_from_db()
    assert staff[0].phone == "13900000000"


def test_the_upload_page_queues_the_file_and_the_liaison_sees_only_its_imports(
    client, tmp_path, plant, liaison, staff, officer_a
):
    rows = [["身份证号", "体温"]] + [[e.id_number, 36.5] for e in staff]
    path = write_xlsx(tmp_path / "day.xlsx", rows)
    client.force_login(liaison)
    with path.open("rb") as handle:
        response = client.post(
            reverse("enterprise_tests:tests_import", args=[plant.pk]), {"file": handle}
        )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("core:import_detail", args=[job.pk])
    # Another import into the same unit (the officer's) is not the liaison's to see.
    other = ImportJob.objects.create(
        kind="registry.residents", unit=plant.unit, created_by=officer_a, original_name="x.xlsx"
    )
    assert client.get(reverse("core:import_detail", args=[other.pk])).status_code == 404
    # The worker read the file: the liaison confirms its columns next.
    mapping = client.get(reverse("core:import_detail", args=[job.pk]), follow=True)
    assert mapping.status_code == 200
    assert mapping.redirect_chain[-1][0] == reverse("core:import_mapping", args=[job.pk])
