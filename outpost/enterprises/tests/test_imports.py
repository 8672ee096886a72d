"""Enterprises from a spreadsheet through the core import pipeline: rows named by their
errors, all or nothing, the same file twice changes nothing."""

import pytest
from django.core.files import File

from outpost.core.choices import ImportStatus
from outpost.core.imports.services import import_job_create
from outpost.core.imports.steps import import_job_commit, import_job_inspect, import_job_validate
from outpost.core.tests.imports_support import write_xlsx
from outpost.enterprises.models import Enterprise
from outpost.enterprises.tests.factories import EnterpriseFactory, credit_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_settings")]

HEADINGS = [
    "企业名称",
    "统一社会信用代码",
    "行业",
    "地址",
    "员工人数",
    "重点保供企业",
    "经营状态",
    "网格",
]


def _row(n, **values):
    row = {
        "企业名称": f"大连第{n}食品有限公司",
        "统一社会信用代码": credit_code(n),
        "行业": "食品",
        "地址": f"黄河路{n}号",
        "员工人数": 300,
        "重点保供企业": "是",
        "经营状态": "已复工",
        "网格": "甲社区第1网格",
        **values,
    }
    return [row[h] for h in HEADINGS]


def _import(user, unit, path):
    with path.open("rb") as handle:
        job = import_job_create(
            acting_user=user,
            kind="enterprises.enterprises",
            unit=unit,
            file=File(handle, name=path.name),
            original_name=path.name,
            queue=False,
        )
    job = import_job_inspect(acting_user=user, job=job)
    validation = import_job_validate(acting_user=user, job=job)
    if validation is not None and not validation.errors:
        import_job_commit(acting_user=user, job=job, validation=validation)
    job.refresh_from_db()
    return job, validation


def test_a_clean_file_is_imported(officer_a, district, tmp_path):
    path = write_xlsx(tmp_path / "企业.xlsx", [["辖区企业名录"], HEADINGS, _row(1), _row(2)])
    job, _validation = _import(officer_a, district.community_a, path)
    assert job.status == ImportStatus.DONE
    first = Enterprise.objects.get(credit_code=credit_code(1))
    assert first.unit == district.grid_a1
    assert first.is_essential
    assert first.status == "resumed"
    assert first.employees == 300
    assert first.sector == "food"


def test_full_width_digits_stray_spaces_and_blank_rows_are_taken(officer_a, district, tmp_path):
    code = credit_code(3)
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    messy = _row(3, 统一社会信用代码=f"  {full_width[:8]} {full_width[8:]} ", 企业名称=" 大连三厂 ")
    path = write_xlsx(tmp_path / "企业.xlsx", [HEADINGS, messy, [None] * 8, ["", " "], _row(4)])
    job, _validation = _import(officer_a, district.community_a, path)
    assert job.status == ImportStatus.DONE
    assert Enterprise.objects.get(credit_code=code).name == "大连三厂"
    assert Enterprise.objects.count() == 2


def test_bad_rows_are_named_and_nothing_is_written(officer_a, district, tmp_path):
    good = _row(5)
    wrong_check = credit_code(6)[:17] + ("0" if credit_code(6)[17] != "0" else "1")
    rows = [
        HEADINGS,
        good,
        _row(6, 统一社会信用代码=wrong_check),
        _row(7, 企业名称=""),
        _row(8, 员工人数="约三百"),
        _row(9, 网格="乙社区第1网格"),
        _row(10, 统一社会信用代码=credit_code(5)),
    ]
    path = write_xlsx(tmp_path / "企业.xlsx", rows)
    job, validation = _import(officer_a, district.community_a, path)
    errors = {(e.row, e.column.split(" (")[0]) for e in validation.errors}
    assert errors == {
        (3, "统一社会信用代码"),
        (4, "企业名称"),
        (5, "员工人数"),
        (6, "网格"),
        (7, "统一社会信用代码"),
    }
    messages = {e.row: e.message for e in validation.errors}
    assert "check character" in messages[3]
    assert "row 2" in messages[7]
    assert job.status != ImportStatus.DONE
    assert not Enterprise.objects.exists()


def test_the_same_file_twice_changes_nothing(officer_a, district, tmp_path):
    path = write_xlsx(tmp_path / "企业.xlsx", [HEADINGS, _row(11), _row(12)])
    _import(officer_a, district.community_a, path)
    history = Enterprise.history.count()
    job, _validation = _import(officer_a, district.community_a, path)
    assert job.status == ImportStatus.DONE
    assert Enterprise.objects.count() == 2
    assert Enterprise.history.count() == history


def test_a_known_enterprise_is_updated(officer_a, district, tmp_path):
    existing = EnterpriseFactory(unit=district.grid_a1, credit_code=credit_code(13))
    path = write_xlsx(tmp_path / "企业.xlsx", [HEADINGS, _row(13, 经营状态="停工")])
    job, _validation = _import(officer_a, district.community_a, path)
    assert job.status == ImportStatus.DONE
    existing.refresh_from_db()
    assert existing.status == "suspended"
    assert existing.history.first().history_user == officer_a


def test_an_enterprise_of_another_community_is_not_changed(officer_a, district, tmp_path):
    other = EnterpriseFactory(unit=district.grid_b1, credit_code=credit_code(14), name="乙厂")
    path = write_xlsx(tmp_path / "企业.xlsx", [HEADINGS, _row(14)])
    _job, validation = _import(officer_a, district.community_a, path)
    assert [e.row for e in validation.errors] == [2]
    other.refresh_from_db()
    assert other.name == "乙厂"
