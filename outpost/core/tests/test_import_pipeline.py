"""The shared import pipeline: reading files, finding the header, mapping columns."""

import datetime
import os
import resource
import time

import pytest
from django.utils import translation

from outpost.core.imports.base import cell_date, cell_text, get_importer
from outpost.core.imports.headers import find_header
from outpost.core.imports.mapping import (
    ColumnDetector,
    detect_mapping,
    normalise_heading,
    remember_mapping,
)
from outpost.core.imports.pipeline import inspect_file
from outpost.core.imports.readers import ImportFileError, detect_encoding, open_workbook
from outpost.core.models import ImportColumnMemory
from outpost.core.tests.imports_support import HEADINGS, person, write_csv, write_xlsx

RESIDENTS = "registry.residents"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def residents():
    return get_importer(RESIDENTS)


def _fields(info, importer):
    return {info.headings[int(i)]: f for i, f in info.mapping.items()}


@pytest.mark.django_db
def test_header_below_a_title_and_blank_rows_is_found(tmp_path, residents):
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [["某社区居民信息登记表"], [], [None], HEADINGS, person(1)],
        merges=["A1:E1"],
    )
    info = inspect_file(path, importer=residents)
    assert info.header_row == 4
    assert _fields(info, residents) == {
        "姓名": "name",
        "身份证号": "id_number",
        "联系电话": "phone",
        "住址": "address",
        "网格": "grid",
    }


@pytest.mark.django_db
def test_two_row_header_with_merged_group_cells_is_combined(tmp_path, residents):
    # 姓名 and 身份证号 span rows 2-3; 联系方式 spans C2:D2 above 手机 and 固话.
    rows = [
        ["登记表"],
        ["姓名", "公民身份号码", "联系方式", None, "现住址"],
        [None, None, "手机", "固话", None],
        [*person(1)[:3], "84123456", person(1)[3]],
    ]
    path = write_xlsx(
        tmp_path / "two-rows.xlsx", rows, merges=["A1:E1", "A2:A3", "B2:B3", "C2:D2", "E2:E3"]
    )
    info = inspect_file(path, importer=residents)
    assert info.header_row == 3
    assert info.headings[:5] == ["姓名", "公民身份号码", "联系方式/手机", "联系方式/固话", "现住址"]
    assert _fields(info, residents) == {
        "姓名": "name",
        "公民身份号码": "id_number",
        "联系方式/手机": "phone",
        "现住址": "address",
    }


def test_two_row_header_without_merge_information_is_combined():
    """A csv has no merges: the lower row still fills the group's empty upper cells."""
    detector = ColumnDetector(get_importer(RESIDENTS))
    rows = [
        ["姓名", "身份证号", "联系方式", "", "住址"],
        ["", "", "手机", "固话", ""],
        ["张三", "210204199001011235", "13912345678", "84123456", "黄河路1号"],
    ]
    header = find_header(rows, [], detector)
    assert header.row == 2
    assert header.headings == ["姓名", "身份证号", "联系方式/手机", "固话", "住址"]


def test_a_merged_heading_over_two_columns_names_the_second_as_a_continuation():
    detector = ColumnDetector(get_importer(RESIDENTS))
    rows = [["姓名", "住址", "", "网格"], ["张三", "黄河路1号", "502", "第1网格"]]
    header = find_header(rows, [(0, 1, 0, 2)], detector)
    assert header.headings == ["姓名", "住址", "住址 (2)", "网格"]
    assert detect_mapping(header.headings, detector) == {"0": "name", "1": "address", "3": "grid"}


def test_headings_with_spaces_line_breaks_and_full_width_characters_are_recognised():
    detector = ColumnDetector(get_importer(RESIDENTS))
    assert normalise_heading(" 身份证\n号码（必填）：") == "身份证号码(必填)"
    assert detector(" 身份证\n号码（必填）：") == "id_number"
    assert detector("＊姓　名") == "name"
    assert detector("联系电话(手机)") == "phone"
    assert detector("Phone") == "phone"


def test_columns_in_another_order_map_the_same():
    detector = ColumnDetector(get_importer(RESIDENTS))
    assert detect_mapping(["住址", "手机号", "名字", "证件号码"], detector) == {
        "0": "address",
        "1": "phone",
        "2": "name",
        "3": "id_number",
    }


def test_a_heading_for_two_fields_takes_the_free_one():
    detector = ColumnDetector(get_importer(RESIDENTS))
    mapping = detect_mapping(["姓名", "证件类型", "证件号码", "公民身份号码"], detector)
    assert mapping == {"0": "name", "1": "document_type", "2": "document_number", "3": "id_number"}


@pytest.mark.django_db
def test_a_remembered_mapping_is_used_for_the_next_file():
    importer = get_importer(RESIDENTS)
    remember_mapping(RESIDENTS, ["居民名称", "身份证号"], {"0": "name", "1": "id_number"})
    assert list(ImportColumnMemory.objects.values_list("heading", "field")) == [
        ("居民名称", "name")
    ]
    detector = ColumnDetector.for_kind(importer)
    assert detect_mapping(["身份证号", " 居民 名称"], detector) == {"0": "id_number", "1": "name"}


@pytest.mark.django_db
def test_the_sheet_with_data_is_chosen_among_several(tmp_path, residents):
    path = write_xlsx(
        tmp_path / "book.xlsx",
        [["说明：本表由社区填写"]],
        sheet="说明",
        extra_sheets={"空表": [], "居民": [HEADINGS, person(1)], "统计": [["合计", 1]]},
    )
    info = inspect_file(path, importer=residents)
    assert info.sheet_names == ["说明", "空表", "居民", "统计"]
    assert info.sheet_name == "居民"
    with pytest.raises(ImportFileError, match="No header row found in the first 15 rows"):
        inspect_file(path, importer=residents, sheet_name="统计")


@pytest.mark.django_db
def test_an_empty_file_is_refused(tmp_path, residents):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(ImportFileError, match="The file is empty"):
        inspect_file(empty, importer=residents)
    blank = write_xlsx(tmp_path / "blank.xlsx", [])
    with pytest.raises(ImportFileError, match="no data"):
        inspect_file(blank, importer=residents)


@pytest.mark.django_db
def test_a_csv_in_gbk_is_read(tmp_path, residents):
    path = write_csv(tmp_path / "gbk.csv", [HEADINGS, person(1)], encoding="gbk")
    assert detect_encoding(path.read_bytes()[:1000]) == "gb18030"
    info = inspect_file(path, importer=residents)
    assert info.headings == HEADINGS
    with open_workbook(path) as book:
        rows = list(book.sheet(book.sheet_names[0]).rows())
    assert rows[1][0] == person(1)[0]


def test_csv_encodings_are_told_apart(tmp_path):
    text = "姓名,住址\n张三,黄河路\n"
    assert detect_encoding(text.encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(text.encode("gbk")) == "gb18030"
    assert detect_encoding(text.encode("utf-16")) == "utf-16"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["garbage.xlsx", "garbage.csv"])
def test_fifty_megabytes_of_garbage_fail_fast_without_eating_memory(tmp_path, residents, name):
    path = tmp_path / name
    with path.open("wb") as handle:
        for _ in range(50):
            handle.write(os.urandom(1024 * 1024))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="neither an Excel workbook"):
        inspect_file(path, importer=residents)
    assert time.perf_counter() - started < 2
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 20 * 1024


@pytest.mark.django_db
def test_garbage_behind_a_zip_signature_is_refused_as_an_unreadable_workbook(tmp_path, residents):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(4096))
    with pytest.raises(ImportFileError, match="could not be read as an Excel workbook"):
        inspect_file(path, importer=residents)


@pytest.mark.django_db
def test_a_text_file_with_one_endless_line_is_refused(tmp_path, residents):
    path = tmp_path / "one-line.csv"
    path.write_text("姓名" + "x" * 300_000, encoding="utf-8")
    with pytest.raises(ImportFileError):
        inspect_file(path, importer=residents)


def test_cells_become_clean_text():
    assert cell_text("  张\n三 ") == "张 三"
    assert cell_text("１３９ １２３４ ５６７８") == "139 1234 5678"
    assert cell_text(13912345678.0) == "13912345678"
    assert cell_text(3.60426199101e17) == "3.60426199101e+17"
    assert cell_text(datetime.datetime(2020, 2, 3)) == "2020-02-03"


@pytest.mark.parametrize(
    "value",
    [
        "2020年2月3日",
        "2020.2.3",
        "2020-02-03",
        "2020/2/3",
        "20200203",
        "2020-02-03 00:00:00",
        "２０２０年２月３日",
        43864,
        43864.0,
        "43864",
        datetime.date(2020, 2, 3),
        datetime.datetime(2020, 2, 3, 0, 0),
    ],
)
def test_dates_are_read_from_text_numbers_and_excel_serials(value):
    assert cell_date(value) == datetime.date(2020, 2, 3)


@pytest.mark.parametrize("value", ["2020年2月30日", "20201399", "二〇二〇年", "2020.2"])
def test_impossible_or_unreadable_dates_are_refused(value):
    with pytest.raises(ValueError):
        cell_date(value)


def test_a_first_data_row_without_numbers_is_not_taken_for_a_second_header_row():
    detector = ColumnDetector(get_importer(RESIDENTS))
    rows = [
        ["姓名", "身份证号", "住址", ""],
        ["小明", "", "黄河路7号", "备注"],
        ["小红", "", "", ""],
    ]
    header = find_header(rows, [], detector)
    assert header.row == 1
    assert header.headings == ["姓名", "身份证号", "住址", ""]
