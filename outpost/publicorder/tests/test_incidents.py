"""The 110 system's daily incident counts: imported from xlsx through the core pipeline
(a missing category column refuses the file with nothing written; a bad row is named), and
the dashboard's this-period / last-year figures by unit and category reconcile with the
imported rows."""

import datetime

import pytest
from django.core.files import File
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import ImportStatus, Role
from outpost.core.imports.services import import_job_create
from outpost.core.imports.steps import import_job_commit, import_job_inspect, import_job_validate
from outpost.core.tests.factories import staff_user
from outpost.core.tests.imports_support import write_xlsx
from outpost.publicorder.models import IncidentCount
from outpost.publicorder.selectors import incident_comparison, same_period_last_year
from outpost.publicorder.tests.factories import incident_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_settings")]
KIND = "publicorder.incidents"
HEAD = ["日期", "单位", "刑事", "治安", "交通", "其他"]


@pytest.fixture
def leader(district):
    return staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")


def _run(user, unit, path):
    with path.open("rb") as handle:
        job = import_job_create(
            acting_user=user, kind=KIND, unit=unit, file=File(handle, name=path.name),
            original_name=path.name, queue=False,
        )  # fmt: skip
    job = import_job_inspect(acting_user=user, job=job)
    validation = import_job_validate(acting_user=user, job=job)
    if validation is not None and not validation.errors:
        import_job_commit(acting_user=user, job=job, validation=validation)
    job.refresh_from_db()
    return job


def test_a_days_counts_are_imported_one_row_per_category_and_replaced_on_reimport(
    tmp_path, district, leader
):
    day = timezone.localdate() - datetime.timedelta(days=1)
    path = write_xlsx(
        tmp_path / "110.xlsx",
        [
            HEAD,
            [day.isoformat(), "甲社区", 1, 4, 2, 7],
            [f"{day:%Y年%m月%d日}", "乙社区", 0, 3, 1, 5],
        ],
    )
    job = _run(leader, district.station, path)
    assert job.status == ImportStatus.DONE, job.failure
    assert IncidentCount.objects.count() == 8
    assert IncidentCount.objects.aggregate(n=Sum("count"))["n"] == 23
    again = write_xlsx(tmp_path / "110b.xlsx", [HEAD, [day.isoformat(), "甲社区", 2, 4, 2, 7]])
    job = _run(leader, district.station, again)
    assert job.updated_count == 1
    assert IncidentCount.objects.get(unit=district.community_a, category="criminal").count == 2


def test_a_file_without_a_category_column_is_refused_whole_naming_it(tmp_path, district, leader):
    day = timezone.localdate() - datetime.timedelta(days=1)
    path = write_xlsx(
        tmp_path / "no-traffic.xlsx",
        [["日期", "单位", "刑事", "治安", "其他"], [day.isoformat(), "甲社区", 1, 4, 7]],
    )
    job = _run(leader, district.station, path)
    assert job.status == ImportStatus.FAILED
    assert "Traffic" in job.failure and "no column" in job.failure
    assert not IncidentCount.objects.exists()


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(tmp_path, district, leader):
    day = timezone.localdate() - datetime.timedelta(days=1)
    future = timezone.localdate() + datetime.timedelta(days=3)
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        [
            HEAD,
            [day.isoformat(), "甲社区", 1, 4, 2, 7],
            [day.isoformat(), "丙社区", 1, 1, 1, 1],
            [future.isoformat(), "乙社区", 1, 1, 1, 1],
            [day.isoformat(), "乙社区", "三", 1, 1, 1],
            [day.isoformat(), "甲社区", 0, 0, 0, 0],
        ],
    )
    job = _run(leader, district.station, path)
    assert {e["row"] for e in job.first_errors} == {3, 4, 5, 6}
    assert not IncidentCount.objects.exists()


def test_the_comparison_sums_the_imported_rows_by_unit_and_category(district, leader, client):
    today = timezone.localdate()
    since = today - datetime.timedelta(days=6)
    for back in range(7):
        incident_in(district.grid_a1, day=today - datetime.timedelta(days=back), count=2)
        incident_in(
            district.grid_b1, day=same_period_last_year(today - datetime.timedelta(days=back)),
            category="traffic", count=5,
        )  # fmt: skip
    incident_in(district.grid_a1, day=since - datetime.timedelta(days=1), count=99)  # outside
    comparison = incident_comparison(user=leader, unit=district.office, since=since, until=today)
    rows = {unit.code: cells for unit, cells in comparison.rows}
    assert rows["CA"]["criminal"] == (14, 0)
    assert rows["CB"]["traffic"] == (0, 35)
    rows_now = IncidentCount.objects.filter(day__gte=since, day__lte=today)
    assert comparison.total[0] == rows_now.aggregate(n=Sum("count"))["n"]
    client.force_login(leader)
    page = client.get(
        reverse("publicorder:incidents"),
        {"unit": district.office.pk, "since": since.isoformat(), "until": today.isoformat()},
    )
    assert page.status_code == 200
    assert page.context["paginator"].count == rows_now.count()
    assert sum(row.count for row in page.context["object_list"]) == comparison.total[0]
    assert "<svg" in page.context["chart"]


def test_a_community_sees_only_its_own_rows_in_the_comparison(district, officer_a):
    today = timezone.localdate()
    incident_in(district.grid_a1, day=today, count=2)
    incident_in(district.grid_b1, day=today, count=9)
    comparison = incident_comparison(
        user=officer_a, unit=district.station, since=today, until=today
    )
    assert comparison.total == (2, 0)
