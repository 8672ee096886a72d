"""The residents import: every bad input of issue 3 gets a clear message naming the row and
column, and nothing is half-written; good files upsert, so importing twice changes nothing."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from outpost.core.choices import ImportStatus
from outpost.core.tests.imports_support import (
    HEADINGS,
    person,
    registry_counts,
    run_import,
    write_csv,
    write_xlsx,
)
from outpost.registry.models import Household, Resident
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory, valid_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_settings")]


def _errors(job):
    return [(e["row"], e["column"], e["message"]) for e in job.first_errors]


def _import(officer, district, tmp_path, rows, *, name="list.xlsx", **options):
    path = write_xlsx(tmp_path / name, rows)
    return run_import(user=officer, unit=district.community_a, path=path, **options)


def test_a_valid_file_creates_residents_and_households(officer_a, district, tmp_path):
    rows = [HEADINGS, person(1), person(2), person(3), person(4)]
    job = _import(officer_a, district, tmp_path, rows)

    assert job.status == ImportStatus.DONE
    assert (job.total_rows, job.created_count, job.updated_count, job.error_count) == (4, 4, 0, 0)
    first = Resident.objects.get(id_number=valid_id_number(1))
    assert first.unit == district.grid_a1
    assert first.sex == "M" and first.birth_date == datetime.date(1960, 2, 7)  # from the ID
    assert (first.household.street, first.household.building) == ("黄河路", "100")
    assert (first.household.entrance, first.household.room) == ("1", "101")
    # person(2) and person(3) live at one address: one household for the two.
    assert Household.objects.count() == 3
    assert Resident.objects.get(id_number=valid_id_number(3)).household.members.count() == 2
    record = first.history.get()
    assert record.history_type == "+" and record.history_user == officer_a
    assert f"#{job.pk}" in record.history_change_reason


def test_importing_the_same_file_again_changes_nothing(officer_a, district, tmp_path):
    rows = [HEADINGS, person(1), person(2), person(3)]
    _import(officer_a, district, tmp_path, rows)
    before = registry_counts()

    again = _import(officer_a, district, tmp_path, rows, name="again.xlsx")

    assert again.status == ImportStatus.DONE
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert registry_counts() == before


def test_a_changed_phone_updates_the_resident_and_records_it(officer_a, district, tmp_path):
    _import(officer_a, district, tmp_path, [HEADINGS, person(1), person(2)])
    changed = person(2)
    changed[2] = "13700000002"

    job = _import(officer_a, district, tmp_path, [HEADINGS, person(1), changed], name="b.xlsx")

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    resident = Resident.objects.get(id_number=valid_id_number(2))
    assert resident.phone == "13700000002"
    assert resident.history.latest("history_date").history_type == "~"


def test_rows_are_grouped_into_households_by_household_number(officer_a, district, tmp_path):
    headings = ["户号", "姓名", "身份证号", "与户主关系", "联系电话", "住址"]
    rows = [
        headings,
        ["H-001", "王大", valid_id_number(11), "户主", "13900000011", "黄河路5号1单元101室"],
        ["H-001", "李二", valid_id_number(12), "配偶", "", ""],
        ["H-002", "赵三", valid_id_number(13), "户主", "", "黄河路5号1单元102室"],
    ]
    path = write_xlsx(tmp_path / "households.xlsx", rows)
    job = run_import(user=officer_a, unit=district.grid_a1, path=path)

    assert job.status == ImportStatus.DONE
    household = Household.objects.get(household_number="H-001")
    assert household.unit == district.grid_a1
    assert household.phone == "13900000011"
    assert sorted(household.members.values_list("relation_to_head", flat=True)) == [
        "head",
        "spouse",
    ]
    assert Household.objects.get(household_number="H-002").room == "102"


def test_a_household_number_of_the_registry_joins_the_existing_household(
    officer_a, district, tmp_path
):
    existing = HouseholdFactory(unit=district.grid_a2, household_number="H-100")
    rows = [["户号", "姓名", "身份证号"], ["H-100", "新成员", valid_id_number(21)]]
    job = run_import(
        user=officer_a, unit=district.community_a, path=write_xlsx(tmp_path / "h.xlsx", rows)
    )
    assert job.status == ImportStatus.DONE
    newcomer = Resident.objects.get(id_number=valid_id_number(21))
    assert newcomer.household == existing
    assert newcomer.unit == district.grid_a2


# ------------------------------------------------------------------ bad input


def test_columns_in_another_order_and_a_blank_merged_title_row_are_fine(
    officer_a, district, tmp_path
):
    order = [4, 3, 1, 0, 2]
    rows = [
        ["居民登记表", None, None, None, None],
        [],
        [HEADINGS[i] for i in order],
        *[[person(n)[i] for i in order] for n in (1, 2)],
    ]
    path = tmp_path / "ordered.xlsx"
    from outpost.core.tests.imports_support import write_xlsx as write

    write(path, rows, merges=["A1:E1"])
    job = run_import(user=officer_a, unit=district.community_a, path=path)
    assert job.header_row == 3
    assert job.status == ImportStatus.DONE and job.created_count == 2


def test_full_width_digits_stray_spaces_and_line_breaks_are_cleaned(officer_a, district, tmp_path):
    id_number = valid_id_number(5)
    full_width_id = id_number[:9].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    row = [
        " 张\n三 ",
        f"{full_width_id} {id_number[9:]}\n",
        "１３９ ００００ ０００５",
        "黄河路 9号\n1单元 101室",
        " 甲社区第1网格 ",
    ]
    job = _import(officer_a, district, tmp_path, [HEADINGS, row])

    assert job.status == ImportStatus.DONE, job.first_errors
    resident = Resident.objects.get()
    assert (resident.name, resident.id_number, resident.phone) == ("张三", id_number, "13900000005")
    assert (resident.household.street, resident.household.building) == ("黄河路", "9")


def test_wrong_check_character_and_impossible_date_are_named_by_row_and_column(
    officer_a, district, tmp_path
):
    wrong_check = person(2)
    wrong_check[1] = wrong_check[1][:17] + ("1" if wrong_check[1][17] != "1" else "2")
    impossible = person(3)
    impossible[1] = "210204" + "19900230" + "123" + "X"
    before = registry_counts()

    job = _import(officer_a, district, tmp_path, [HEADINGS, person(1), wrong_check, impossible])

    assert job.status == ImportStatus.VALIDATED
    errors = _errors(job)
    assert errors[0][:2] == (3, "身份证号 (B)")
    assert "wrong check character" in errors[0][2]
    assert errors[1][:2] == (4, "身份证号 (B)")
    assert "impossible birth date" in errors[1][2]
    assert registry_counts() == before  # all or nothing: the good row is not written either


def test_ids_stored_as_numbers_by_excel_are_refused_with_the_explanation(
    officer_a, district, tmp_path
):
    scientific = person(2)
    scientific[1] = float(scientific[1][:15] + "000")  # what Excel keeps of an ID number
    as_text = person(3)
    as_text[1] = "2.10204E+17"
    job = _import(officer_a, district, tmp_path, [HEADINGS, person(1), scientific, as_text])

    assert [(row, column) for row, column, _m in _errors(job)] == [
        (3, "身份证号 (B)"),
        (4, "身份证号 (B)"),
    ]
    for _row, _column, message in _errors(job):
        assert "stored by Excel as a number" in message
        assert "Format the column as text" in message
    assert Resident.objects.count() == 0


def test_a_duplicate_row_names_the_first_one(officer_a, district, tmp_path):
    job = _import(officer_a, district, tmp_path, [HEADINGS, person(1), person(2), person(1)])
    assert _errors(job) == [(4, "身份证号 (B)", "Same ID number as row 2.")]
    assert Resident.objects.count() == 0


def test_each_problem_of_a_row_is_reported(officer_a, district, tmp_path):
    bad = ["", "12345", "12345", "黄河路1号", "不存在的网格"]
    job = _import(officer_a, district, tmp_path, [HEADINGS, bad])
    assert [column for _row, column, _m in _errors(job)] == [
        "姓名 (A)",
        "身份证号 (B)",
        "联系电话 (C)",
        "网格 (E)",
    ]
    messages = [m for _r, _c, m in _errors(job)]
    assert messages[0] == "Name is empty."
    assert "18 characters" in messages[1]
    assert messages[3] == "No grid has this name or code."


def test_a_row_for_a_grid_outside_the_imports_unit_is_an_error(officer_a, district, tmp_path):
    outside = person(2, grid="乙社区第1网格")
    job = _import(officer_a, district, tmp_path, [HEADINGS, person(1), outside])
    assert _errors(job) == [
        (3, "网格 (E)", "This grid is outside 甲社区, the unit of this import.")
    ]
    assert Resident.objects.count() == 0


def test_an_id_registered_in_a_unit_the_user_cannot_see_is_refused_without_details(
    officer_a, district, tmp_path
):
    stranger = ResidentFactory(
        household=HouseholdFactory(unit=district.grid_b1), id_number=valid_id_number(2)
    )
    job = _import(officer_a, district, tmp_path, [HEADINGS, person(1), person(2)])

    ((row, column, message),) = _errors(job)
    assert (row, column) == (3, "身份证号 (B)")
    assert "already registered outside your jurisdiction" in message
    assert stranger.name not in message and "乙社区" not in message
    assert job.first_errors[0]["value"] == "210204********" + valid_id_number(2)[-4:]
    stranger.refresh_from_db()
    assert stranger.unit == district.grid_b1


def test_a_person_the_user_may_change_in_another_grid_is_moved_here(officer_a, district, tmp_path):
    moved = ResidentFactory(
        household=HouseholdFactory(unit=district.grid_a2), id_number=valid_id_number(2)
    )
    path = write_xlsx(tmp_path / "grid.xlsx", [HEADINGS[:4], person(1)[:4], person(2)[:4]])
    job = run_import(user=officer_a, unit=district.grid_a1, path=path)

    assert (job.created_count, job.updated_count) == (1, 1)
    moved.refresh_from_db()
    assert moved.unit == district.grid_a1
    assert moved.household.unit == district.grid_a1


def test_skip_bad_rows_imports_only_the_good_rows(officer_a, district, tmp_path):
    bad = person(3)
    bad[2] = "12345"
    job = _import(
        officer_a,
        district,
        tmp_path,
        [HEADINGS, person(1), person(2), bad, person(4)],
        skip_bad_rows=True,
    )
    assert job.status == ImportStatus.DONE
    assert (job.total_rows, job.valid_rows, job.created_count) == (4, 3, 3)
    assert not Resident.objects.filter(id_number=valid_id_number(3)).exists()


def test_people_without_an_id_and_dates_as_text_or_excel_serials(officer_a, district, tmp_path):
    headings = ["姓名", "证件类型", "证件号码", "性别", "出生日期", "住址", "网格"]
    address = "黄河路7号1单元101室"
    rows = [
        headings,
        ["小明", "", "", "男", "2020年2月3日", address, "甲社区第1网格"],
        ["小红", "", "", "女", "2020.2.3", address, "甲社区第1网格"],
        ["小刚", "", "", "男", "20200203", address, "甲社区第1网格"],
        ["小丽", "", "", "女", 43864, address, "甲社区第1网格"],
        ["小强", "", "", "男", datetime.date(2020, 2, 3), address, "甲社区第1网格"],
        ["IVANOV IVAN", "护照", "75 1234567", "男", "1985-05-06", address, "甲社区第1网格"],
    ]
    job = _import(officer_a, district, tmp_path, rows)

    assert job.status == ImportStatus.DONE, job.first_errors
    children = Resident.objects.filter(document_type="none")
    assert set(children.values_list("birth_date", flat=True)) == {datetime.date(2020, 2, 3)}
    assert children.count() == 5
    visitor = Resident.objects.get(document_type="passport")
    assert visitor.document_number == "751234567"
    assert Household.objects.count() == 1

    again = _import(officer_a, district, tmp_path, rows, name="again.xlsx")
    assert (again.created_count, again.unchanged_count) == (0, 6)


def test_an_unreadable_birth_date_is_named(officer_a, district, tmp_path):
    rows = [
        ["姓名", "出生日期", "住址", "网格"],
        ["小明", "去年春天", "黄河路7号", "甲社区第1网格"],
    ]
    job = _import(officer_a, district, tmp_path, rows)
    assert _errors(job) == [
        (2, "出生日期 (B)", "“去年春天” is not a date; write it as 2020-02-03 or 2020年2月3日.")
    ]


def test_a_csv_in_gbk_imports(officer_a, district, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [HEADINGS, person(1), person(2)], encoding="gbk")
    job = run_import(user=officer_a, unit=district.community_a, path=path)
    assert job.status == ImportStatus.DONE
    assert Resident.objects.filter(name=person(1)[0]).exists()


def test_a_workbook_with_several_sheets_reads_the_one_with_data(officer_a, district, tmp_path):
    path = write_xlsx(
        tmp_path / "sheets.xlsx",
        [["填表说明：每人一行"]],
        sheet="说明",
        extra_sheets={"名单": [HEADINGS, person(1)]},
    )
    job = run_import(user=officer_a, unit=district.community_a, path=path)
    assert job.sheet_name == "名单"
    assert job.status == ImportStatus.DONE


def test_the_error_workbook_lists_row_column_masked_value_and_reason(officer_a, district, tmp_path):
    bad_phone = person(2)
    bad_phone[2] = "139123"
    duplicate = person(1)
    job = _import(officer_a, district, tmp_path, [HEADINGS, person(1), bad_phone, duplicate])

    with job.error_report.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Row", "Column", "Value", "Reason")
    assert rows[1][:3] == (3, "联系电话 (C)", "**9123")
    assert "Mobile number must have 11 digits" in rows[1][3] or "neither a mobile" in rows[1][3]
    assert rows[2][:3] == (4, "身份证号 (B)", "210204********" + valid_id_number(1)[-4:])
    assert rows[2][3] == "Same ID number as row 2."
