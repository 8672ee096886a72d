"""Hostile uploads (files that declare or unpack to far more than they are) are refused
with a clear message, by the worker, with bounded work and memory; and csv files in Big5
or Shift-JIS are read as such, or refused naming the encodings read.

The files are made in tmp_path by `hostile_files`; `bench/hostile_uploads.py` times them.
"""

import resource

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outpost.core.choices import ImportStatus
from outpost.core.imports.base import get_importer
from outpost.core.imports.pipeline import columns_for, inspect_file, validate
from outpost.core.imports.readers import ImportFileError, detect_encoding, open_workbook
from outpost.core.imports.workbook import read_limits
from outpost.core.tests import hostile_files
from outpost.core.tests.imports_support import HEADINGS, person, run_import, write_xlsx

RESIDENTS = "registry.residents"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def residents():
    return get_importer(RESIDENTS)


def _read_everything(path, importer_class, *, unit=None, user=None):
    """What the worker does with an upload: find the header, then check every row."""
    info = inspect_file(path, importer=importer_class)
    columns = columns_for(importer_class, info.headings, info.mapping)
    importer = importer_class(unit=unit, acting_user=user, columns=columns)
    return validate(path, importer=importer, sheet_name=info.sheet_name, header_row=info.header_row)


def _grown_mb(before_kb: int) -> float:
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kb) / 1024


@pytest.mark.django_db
def test_a_value_in_cell_xfd1048576_is_refused_naming_the_cell_not_allocated(
    tmp_path, residents, district, officer_a
):
    path = hostile_files.sparse_huge_sheet(tmp_path)
    assert path.stat().st_size < 2000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImportFileError, match="value in cell XFD1048576, beyond its first 200"):
        _read_everything(path, residents, unit=district.community_a, user=officer_a)
    assert _grown_mb(before) < 100


@pytest.mark.django_db
def test_a_declared_dimension_of_the_whole_grid_costs_nothing(tmp_path, residents):
    path = hostile_files.declared_huge_dimension(tmp_path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    info = inspect_file(path, importer=residents)
    assert info.headings == ["姓名", "身份证号"]
    with open_workbook(path) as book:
        assert list(book.sheet(book.sheet_names[0]).rows()) == [["姓名", "身份证号"]]
    assert _grown_mb(before) < 100


@pytest.mark.django_db
def test_a_sparse_sheet_within_the_limits_is_read_cell_by_cell(
    tmp_path, residents, district, officer_a
):
    """A1 and GR400000 took the web process to 2.7 GB: the range was materialised."""
    path = hostile_files.sparse_wide_tall_sheet(tmp_path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImportFileError, match=r"No data rows below the header \(row 1\)"):
        _read_everything(path, residents, unit=district.community_a, user=officer_a)
    assert _grown_mb(before) < 100


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, residents):
    path = hostile_files.zip_bomb(tmp_path, unpacked_mb=64)
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(ImportFileError, match="compressed more than 100 times"):
        inspect_file(path, importer=residents)


@pytest.mark.django_db
def test_ten_thousand_sheets_are_refused(tmp_path, residents):
    path = hostile_files.many_sheets(tmp_path)
    with pytest.raises(ImportFileError, match="more than 1,000 parts"):
        inspect_file(path, importer=residents)


@pytest.mark.django_db
def test_more_sheets_than_the_limit_are_refused(tmp_path, residents):
    path = hostile_files.many_sheets(tmp_path, sheets=150)
    with pytest.raises(ImportFileError, match="more than 100 sheets"):
        inspect_file(path, importer=residents)


@pytest.mark.django_db
def test_deeply_nested_markup_is_refused(tmp_path, residents):
    path = hostile_files.deeply_nested(tmp_path)
    with pytest.raises(ImportFileError, match="could not be read as an Excel workbook"):
        inspect_file(path, importer=residents)


@pytest.mark.django_db
def test_millions_of_stray_elements_are_refused_without_building_them(tmp_path, residents):
    path = hostile_files.stray_markup(tmp_path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImportFileError, match="markup that is not cells"):
        with open_workbook(path) as book:
            list(book.sheet(book.sheet_names[0]).rows())
    assert _grown_mb(before) < 200


@pytest.mark.django_db
def test_giant_shared_strings_are_refused(tmp_path, residents):
    path = hostile_files.giant_shared_strings(tmp_path)
    with pytest.raises(ImportFileError, match="shared strings take more than 64 MB"):
        inspect_file(path, importer=residents)


@pytest.mark.django_db
def test_a_csv_of_one_endless_line_is_refused_at_the_line_limit(tmp_path, residents):
    path = hostile_files.csv_one_long_line(tmp_path, megabytes=120)
    with pytest.raises(ImportFileError, match="larger than 100 MB"):
        inspect_file(path, importer=residents)
    # Under a feed's larger limits the file is read, up to the line limit.
    with read_limits(max_bytes=1024 * 1024 * 1024, max_rows=5_000_000):
        with pytest.raises(ImportFileError, match="a line longer than 100,000 characters"):
            inspect_file(path, importer=residents)


@pytest.mark.django_db
def test_the_cli_exits_with_the_message_instead_of_aborting(
    import_settings, tmp_path, district, officer_a
):
    """`outpost import residents` on the 1.6 KB file was killed (exit 134)."""
    path = hostile_files.sparse_huge_sheet(tmp_path)
    with pytest.raises(CommandError, match="XFD1048576"):
        call_command("import", "residents", str(path), "--user", officer_a.username)


@pytest.mark.django_db
def test_the_upload_of_a_hostile_file_fails_its_import_with_the_reason(
    import_settings, tmp_path, district, officer_a
):
    job = run_import(
        user=officer_a, unit=district.community_a, path=hostile_files.sparse_huge_sheet(tmp_path)
    )
    assert job.status == ImportStatus.FAILED
    assert "XFD1048576" in job.failure


@pytest.mark.django_db
def test_an_ordinary_workbook_reads_the_same_through_the_bounded_reader(tmp_path, residents):
    path = write_xlsx(
        tmp_path / "ok.xlsx", [["登记表"], [], HEADINGS, person(1), [], person(2)], merges=["A1:E1"]
    )
    with open_workbook(path) as book:
        sheet = book.sheet(book.sheet_names[0])
        rows = list(sheet.rows())
        assert sheet.merged == [(0, 0, 0, 4)]
    assert rows[0] == ["登记表"] and rows[1] == []
    assert rows[2] == HEADINGS and rows[4] == [] and rows[3][0] == person(1)[0]
    assert len(rows) == 6


# ---------------------------------------------------------------------------- encodings

TRADITIONAL = (
    "姓名,身份證號碼,聯繫電話,住址\n"
    "陳大文,A123456789,0912345678,臺北市信義區松仁路100號\n"
    "林美玲,B223456789,0922333444,高雄市鼓山區美術館路\n"
)
JAPANESE = (
    "氏名,電話番号,住所,備考\n"
    "山田太郎,090-1234-5678,東京都新宿区西新宿2丁目8番1号,テスト\n"
    "佐藤花子,080-9876-5432,大阪府大阪市北区梅田,ひらがな\n"
)
SIMPLIFIED = (
    "姓名,身份证号,联系电话,住址\n张三,210204199001011235,13912345678,大连市中山区黄河路1号\n"
)


def _csv_rows(path):
    with open_workbook(path) as book:
        return list(book.sheet(book.sheet_names[0]).rows())


def test_a_big5_csv_is_read_as_big5(tmp_path):
    path = tmp_path / "big5.csv"
    path.write_bytes(TRADITIONAL.encode("big5"))
    rows = _csv_rows(path)
    assert rows[1][0] == "陳大文" and rows[1][3] == "臺北市信義區松仁路100號"


def test_a_shift_jis_csv_is_read_as_shift_jis(tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes(JAPANESE.encode("shift_jis"))
    rows = _csv_rows(path)
    assert rows[1] == ["山田太郎", "090-1234-5678", "東京都新宿区西新宿2丁目8番1号", "テスト"]


def test_gbk_and_utf8_csv_are_still_told_apart(tmp_path):
    assert detect_encoding(SIMPLIFIED.encode("gbk")) == "gb18030"
    assert detect_encoding(SIMPLIFIED.encode("gb18030")) == "gb18030"
    assert detect_encoding(SIMPLIFIED.encode("utf-8")) == "utf-8"
    assert detect_encoding(SIMPLIFIED.encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding(TRADITIONAL.encode("big5")) == "big5hkscs"
    assert detect_encoding(JAPANESE.encode("shift_jis")) == "cp932"


def test_a_csv_whose_encoding_cannot_be_told_is_refused_naming_the_options():
    # Half-width katakana read as Shift-JIS, or as GB18030: neither reads as common text.
    sample = "ｱｲｳｴｵ,ｶｷｸｹｺ\n".encode("shift_jis") * 3 + "亜".encode("gb18030")
    with pytest.raises(ImportFileError) as caught:
        detect_encoding(sample)
    message = str(caught.value)
    for name in ("UTF-8", "GB18030/GBK", "Big5", "Shift-JIS"):
        assert name in message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_are_detected_or_refused_with_a_message(data):
    try:
        encoding = detect_encoding(data)
    except ImportFileError as exc:
        assert str(exc)
    else:
        assert encoding in ("utf-8", "utf-8-sig", "utf-16", "gb18030", "big5hkscs", "cp932")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(min_size=1, max_size=3000))
def test_any_bytes_behind_a_zip_signature_are_refused_with_a_message(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("zip") / "any.xlsx"
    path.write_bytes(b"PK\x03\x04" + data)
    with pytest.raises(ImportFileError):
        with open_workbook(path) as book:
            for name in book.sheet_names:
                list(book.sheet(name).rows())


_REFS = st.one_of(
    st.from_regex(r"[A-Z]{1,3}[1-9][0-9]{0,6}", fullmatch=True),
    st.text(alphabet="AZaz019:-", max_size=8),
)
_CELLS = st.lists(
    st.tuples(
        _REFS,
        st.sampled_from(["s", "str", "inlineStr", "b", "n", "e", "d", "", "x"]),
        st.one_of(st.text(max_size=20), st.integers(-5, 10).map(str), st.just("")),
        st.sampled_from(["", "0", "1", "99", "-1", "x"]),
    ),
    max_size=12,
)


def _sheet_xml(rows) -> str:
    from xml.sax.saxutils import escape, quoteattr

    body = []
    for number, cells in rows:
        parts = []
        for ref, kind, value, style in cells:
            t = f" t={quoteattr(kind)}" if kind else ""
            s = f" s={quoteattr(style)}" if style else ""
            inner = (
                f"<is><t>{escape(value)}</t></is>"
                if kind == "inlineStr"
                else f"<v>{escape(value)}</v>"
            )
            parts.append(f"<c r={quoteattr(ref)}{t}{s}>{inner}</c>")
        body.append(f'<row r="{number}">{"".join(parts)}</row>')
    return "".join(body)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(st.tuples(st.integers(1, 2_000_000), _CELLS), max_size=6),
    strings=st.lists(st.text(max_size=10), max_size=4),
)
def test_any_sheet_is_read_within_the_limits_or_refused_with_a_message(
    tmp_path_factory, rows, strings
):
    """Whatever the cells, their references and types: rows no wider than the column
    limit, or an ImportFileError; never another exception."""
    from xml.sax.saxutils import escape

    folder = tmp_path_factory.mktemp("sheet")
    shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    parts = hostile_files._workbook_parts(1) | {
        "xl/worksheets/sheet1.xml": hostile_files._sheet(_sheet_xml(rows)),
        "xl/sharedStrings.xml": f'<sst xmlns="{hostile_files._MAIN}">{shared}</sst>',
    }
    path = hostile_files.write_xlsx_parts(folder / "any.xlsx", parts)
    try:
        with open_workbook(path) as book:
            read = list(book.sheet(book.sheet_names[0]).rows())
    except ImportFileError as exc:
        assert str(exc)
    else:
        assert len(read) <= 500_000
        assert all(len(row) <= 200 for row in read)
