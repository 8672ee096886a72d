"""Feed upload: the raw file is kept, every row is stored, bad rows carry their problems.

The upload only checks the top of the file and queues the reading; the tests run the task
as the worker does (immediately once the upload commits, or through the real `db_worker`)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from outpost.core.imports import workbook
from outpost.core.imports.readers import ImportFileError, open_workbook
from outpost.core.tests.imports_support import use_import_settings, write_csv, write_xlsx
from outpost.core.tests.worker import run_queued_tasks
from outpost.registry.tests.factories import valid_id_number
from outpost.screening import imports
from outpost.screening.choices import FeedStatus
from outpost.screening.models import Feed, FeedRow
from outpost.screening.services.starts import feed_upload
from outpost.screening.tests.factories import FeedFactory, FeedRowFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADINGS = ["姓名", "身份证号", "手机号", "出发地", "到达日期", "车次", "座位号"]
ID_15 = "420102900101123"  # an old number: 1990-01-01


@pytest.fixture(autouse=True)
def feed_settings(settings, tmp_path):
    use_import_settings(settings, tmp_path)
    with translation.override("en"):
        yield


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Upload a file as `feed_upload` does; the reading task runs once the upload commits
    (the immediate task backend of the tests). Returns the feed, refreshed."""

    def upload(user, unit, path, *, source_type="rail"):
        with path.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
            feed = feed_upload(
                acting_user=user,
                unit=unit,
                source_type=source_type,
                file=File(handle, name=path.name),
                original_name=path.name,
            )
        feed.refresh_from_db()
        return feed

    return upload


def _upload(user, unit, path, *, source_type="rail"):
    """Upload only: what the request does (the task is not run)."""
    with path.open("rb") as handle:
        return feed_upload(
            acting_user=user,
            unit=unit,
            source_type=source_type,
            file=File(handle, name=path.name),
            original_name=path.name,
        )


def _people(count, start=0):
    return [
        [f"旅客{n}", valid_id_number(n), f"139{n:08d}", "武汉", "2020-01-20", "G1", ""]
        for n in range(start, start + count)
    ]


def _rows(feed):
    return {r.row_number: r for r in FeedRow.objects.filter(feed=feed)}


def test_a_feed_keeps_its_file_and_every_row_bad_ones_with_their_problems(
    officer_a, district, tmp_path, upload
):
    rows = [
        HEADINGS,
        ["张三", valid_id_number(1, region="420102"), "+86 138-1234-5678", "湖北省武汉市江汉区",
         "2020-01-20", "G1234", "05车12F"],
        ["李四", ID_15, "13912345678", "孝感", "2020年1月21日", "d 25", ""],
        ["王五", "4201021990010112", "0411-84123456", "北京", "2020/1/22", "", ""],
        ["赵六", "", "12345", "上海", "not a date", "MU5678", ""],
        ["", "", "", "", "2020-01-23", "", ""],
    ]  # fmt: skip
    path = write_csv(tmp_path / "rail.csv", rows)
    feed = upload(officer_a, district.community_a, path)

    assert feed.status == FeedStatus.PARSED_WITH_ERRORS
    assert (feed.total_rows, feed.error_rows, feed.progress) == (5, 3, 100)
    assert feed.file.read().decode().startswith("姓名,身份证号")
    stored = _rows(feed)
    assert sorted(stored) == [2, 3, 4, 5, 6]
    first = stored[2]
    assert (first.phone, first.origin_region_code) == ("13812345678", "420103")
    assert first.arrival_date == datetime.date(2020, 1, 20)
    assert (first.train_or_flight, first.seat, first.parse_errors) == ("G1234", "05车12F", [])
    # The old 15-digit number is upgraded to 18 characters.
    assert stored[3].id_number == "420102199001011236"
    assert stored[3].arrival_date == datetime.date(2020, 1, 21)
    assert (stored[3].train_or_flight, stored[3].origin_region_code) == ("D25", "420900")
    # An unreadable ID is stored as written, with its problem; a landline is kept.
    assert stored[4].id_number == "4201021990010112"
    assert stored[4].phone == "0411-84123456"
    assert stored[4].parse_errors[0]["column"] == "身份证号 (B)"
    assert "18 characters" in stored[4].parse_errors[0]["message"]
    assert "4201021990010112" not in str(stored[4].parse_errors)  # masked
    assert {e["column"] for e in stored[5].parse_errors} == {"手机号 (C)", "到达日期 (E)"}
    assert stored[5].arrival_date is None
    assert stored[6].parse_errors[0]["message"] == "The row has no name, ID number or phone."


def test_an_all_blank_id_column_is_no_error(officer_a, district, tmp_path, upload):
    rows = [["旅客姓名", "证件号码", "联系电话", "来源地", "抵连日期"]]
    rows += [[f"旅客{n}", "", f"1381234567{n}", "武汉", 43850 + n] for n in range(3)]
    path = write_xlsx(tmp_path / "arrivals.xlsx", rows, sheet="登记")
    feed = upload(officer_a, district.community_a, path, source_type="arrivals")

    assert (feed.total_rows, feed.error_rows, feed.status) == (3, 0, FeedStatus.PARSED)
    first = FeedRow.objects.filter(feed=feed).first()
    assert (first.id_number, first.origin_region_code) == ("", "420100")
    assert first.arrival_date == datetime.date(2020, 1, 20)  # an Excel date serial


def test_a_file_with_a_header_and_no_rows_fails_with_a_clear_message(
    officer_a, district, tmp_path, upload
):
    path = write_csv(tmp_path / "empty.csv", [HEADINGS])
    feed = upload(officer_a, district.community_a, path)
    assert feed.status == FeedStatus.FAILED
    assert feed.failure == "No data rows below the header (row 1)."
    assert not FeedRow.objects.exists()


def test_an_empty_file_is_refused(officer_a, district, tmp_path):
    path = tmp_path / "nothing.csv"
    path.write_bytes(b"")
    with pytest.raises(ValidationError) as caught:
        _upload(officer_a, district.community_a, path)
    assert caught.value.message_dict["file"] == ["The file is empty."]


def test_a_file_without_name_id_or_phone_columns_fails(officer_a, district, tmp_path, upload):
    path = write_csv(tmp_path / "trains.csv", [["车次", "座位号"], ["G1", "1A"]])
    feed = upload(officer_a, district.community_a, path)
    assert feed.status == FeedStatus.FAILED
    assert "姓名, 身份证号, 手机号" in feed.failure and "at least one of them" in feed.failure
    assert "The columns found in row 1 are: 车次, 座位号." in feed.failure


def test_an_officer_uploads_a_feed_in_the_browser(
    client, officer_a, district, tmp_path, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path / "list.csv", [HEADINGS, ["张三", ID_15, "", "", "", "", ""]])
    client.force_login(officer_a)
    with path.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("screening:feed_upload"),
            {"source_type": "flight", "unit": district.community_a.pk, "file": handle},
        )
    feed = Feed.objects.get()
    assert response.status_code == 302 and response["Location"] == feed.get_absolute_url()
    assert (feed.status, feed.total_rows) == (FeedStatus.PARSED, 1)
    assert (feed.uploaded_by, feed.source_type, feed.original_name) == (
        officer_a,
        "flight",
        "list.csv",
    )
    assert {h.history_user for h in feed.history.all()} == {officer_a}


def test_the_feed_page_shows_why_a_file_could_not_be_read(
    client, officer_a, district, tmp_path, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path / "empty.csv", [HEADINGS])
    client.force_login(officer_a)
    with path.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("screening:feed_upload"),
            {"source_type": "rail", "unit": district.community_a.pk, "file": handle},
        )
    feed = Feed.objects.get()
    assert response["Location"] == feed.get_absolute_url()
    page = client.get(feed.get_absolute_url()).content.decode()
    assert "No data rows below the header (row 1)." in page


def test_the_feed_page_masks_ids_and_phones(client, officer_a, district):
    row = FeedRowFactory(feed__unit=district.grid_a1)
    client.force_login(officer_a)
    content = client.get(row.feed.get_absolute_url()).content.decode()
    assert "420102********1236" in content and "138****5678" in content
    assert row.id_number not in content and row.phone not in content


def test_a_grid_worker_cannot_see_feeds(client, grid_worker_a1, district):
    row = FeedRowFactory(feed__unit=district.grid_a1)
    client.force_login(grid_worker_a1)
    assert client.get(reverse("screening:feed_list")).status_code == 403
    assert client.get(row.feed.get_absolute_url()).status_code == 404
    assert client.get(reverse("screening:feed_upload")).status_code == 403
    assert not Feed.objects.visible_to(grid_worker_a1).exists()
    assert not FeedRow.objects.visible_to(grid_worker_a1).exists()


def test_an_officer_sees_no_feed_rows_of_another_community(officer_a, district):
    FeedRowFactory(feed__unit=district.grid_b1)
    own = FeedRowFactory(feed__unit=district.grid_a1)
    assert list(FeedRow.objects.visible_to(officer_a)) == [own]


def test_the_feed_list_takes_the_same_queries_for_one_feed_or_many(
    client, officer_a, district, django_assert_max_num_queries
):
    FeedRowFactory(feed__unit=district.grid_a1)
    client.force_login(officer_a)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("screening:feed_list"))
    for _n in range(5):
        FeedRowFactory(feed__unit=district.grid_a2)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse("screening:feed_list")).status_code == 200


def test_the_upload_page_offers_only_units_of_the_users_subtree(client, officer_a, district):
    client.force_login(officer_a)
    response = client.get(reverse("screening:feed_upload"))
    assert response.status_code == 200
    units = list(response.context["form"].fields["unit"].queryset)
    assert units == [district.community_a]


def test_the_upload_returns_a_queued_feed_that_the_worker_reads_while_the_page_polls(
    settings, client, officer_a, district, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS
    path = write_csv(tmp_path / "big.csv", [HEADINGS, *_people(30)])
    client.force_login(officer_a)
    with path.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("screening:feed_upload"),
            {"source_type": "rail", "unit": district.community_a.pk, "file": handle},
        )
    feed = Feed.objects.get()
    assert response["Location"] == feed.get_absolute_url()
    assert (feed.status, feed.progress, FeedRow.objects.count()) == (FeedStatus.QUEUED, 0, 0)
    assert feed.mapping == {}  # the request does not open the file
    page = client.get(feed.get_absolute_url()).content.decode()
    assert "being read" in page  # the message after the redirect
    assert 'hx-trigger="every 2s"' in page and "Waiting for the worker" in page
    list_page = client.get(reverse("screening:feed_list")).content.decode()
    assert "waiting to be read" in list_page

    run_queued_tasks()

    feed.refresh_from_db()
    assert (feed.status, feed.total_rows, feed.error_rows, feed.progress) == (
        FeedStatus.PARSED,
        30,
        0,
        100,
    )
    assert feed.mapping["身份证号"] == "id_number"
    fragment = client.get(feed.get_absolute_url(), headers={"HX-Request": "true"})
    content = fragment.content.decode()
    assert "<html" not in content and "every 2s" not in content
    assert "旅客29" in content and "<dd>30</dd>" in content


def test_the_page_of_a_feed_being_read_shows_its_progress(client, officer_a, district):
    feed = FeedFactory(unit=district.community_a, status=FeedStatus.PARSING, progress=40)
    client.force_login(officer_a)
    fragment = client.get(feed.get_absolute_url(), headers={"HX-Request": "true"})
    content = fragment.content.decode()
    assert 'value="40"' in content and "Reading the rows of the file… 40%" in content
    assert 'hx-trigger="every 2s"' in content
    assert "No rows to show." not in content  # the rows appear once read


def test_progress_is_reported_as_the_rows_are_read(
    monkeypatch, officer_a, district, tmp_path, upload
):
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 10)
    path = write_csv(tmp_path / "rail.csv", [HEADINGS, *_people(50)])
    with CaptureQueriesContext(connection) as queries:
        feed = upload(officer_a, district.community_a, path)
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "screening_feed"')]
    progress_only = [sql for sql in updates if 'SET "progress"' in sql]
    assert len(progress_only) >= 4  # 20 %, 40 %, 60 %, 80 %…
    assert (feed.status, feed.total_rows, feed.progress) == (FeedStatus.PARSED, 50, 100)


def test_phones_with_plus_86_and_dashes_and_dates_in_mixed_formats(
    officer_a, district, tmp_path, upload
):
    rows = [
        HEADINGS,
        ["甲", "", "+86 138-1234-5678", "", datetime.date(2020, 1, 20), "", ""],
        ["乙", "", "+86-139-1234-5678", "", 43851, "", ""],  # an Excel serial: 2020-01-21
        ["丙", "", "0086 137 1234 5678", "", "2020年1月22日", "", ""],
        ["丁", "", "136-1234-5678", "", "2020/1/23", "", ""],
        ["戊", "", "+8615012345678", "", "20200124", "", ""],
        ["己", "", "(0411)84123456", "", "2020.1.25", "", ""],
        ["庚", "", "", "", "一月二十六", "", ""],
    ]  # fmt: skip
    feed = upload(officer_a, district.community_a, write_xlsx(tmp_path / "mixed.xlsx", rows))

    stored = _rows(feed)
    assert [stored[n].phone for n in range(2, 7)] == [
        "13812345678",
        "13912345678",
        "13712345678",
        "13612345678",
        "15012345678",
    ]
    assert [stored[n].arrival_date for n in range(2, 8)] == [
        datetime.date(2020, 1, day) for day in range(20, 26)
    ]
    assert stored[8].arrival_date is None
    assert stored[8].parse_errors[0]["column"] == "到达日期 (E)"
    assert (feed.status, feed.total_rows, feed.error_rows) == (
        FeedStatus.PARSED_WITH_ERRORS,
        7,
        1,
    )


def test_the_same_person_twice_in_a_feed_is_kept_twice(officer_a, district, tmp_path, upload):
    person = ["张三", valid_id_number(7), "13912345678", "武汉", "2020-01-20", "G1", "1A"]
    later = [*person[:4], "2020-01-22", "G2", "3C"]
    feed = upload(
        officer_a,
        district.community_a,
        write_csv(tmp_path / "twice.csv", [HEADINGS, person, later]),
    )
    stored = _rows(feed)
    assert (feed.total_rows, feed.error_rows) == (2, 0)
    assert stored[2].id_number == stored[3].id_number == valid_id_number(7)
    assert (stored[2].train_or_flight, stored[3].train_or_flight) == ("G1", "G2")


def test_a_file_failing_in_the_middle_fails_the_feed_and_keeps_no_row(
    client, officer_a, district, tmp_path, upload
):
    # 3,000 good rows (more than a batch, so rows are written before the failure), then a
    # row too wide to be a table row.
    rows = [HEADINGS, *_people(3000), ["x"] * 250, *_people(5, start=3000)]
    feed = upload(officer_a, district.community_a, write_csv(tmp_path / "broken.csv", rows))

    assert feed.status == FeedStatus.FAILED
    assert feed.failure == "Row 3002 has more than 200 columns."
    assert (feed.total_rows, FeedRow.objects.count()) == (0, 0)
    assert feed.file  # the raw file is kept
    client.force_login(officer_a)
    content = client.get(feed.get_absolute_url()).content.decode()
    assert "Row 3002 has more than 200 columns." in content and "every 2s" not in content


def test_an_unexpected_error_while_reading_fails_the_feed_with_a_message(
    settings, officer_a, district, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        feed = _upload(
            officer_a, district.community_a, write_csv(tmp_path / "a.csv", [HEADINGS, *_people(3)])
        )
    feed.file.delete(save=False)  # the file vanished from the storage before the worker ran

    run_queued_tasks()

    feed.refresh_from_db()
    assert feed.status == FeedStatus.FAILED
    assert "unexpected error; no row was kept" in feed.failure
    assert not FeedRow.objects.exists()


def test_a_feed_above_the_registry_caps_but_within_the_feed_caps_is_read(
    monkeypatch, officer_a, district, tmp_path, upload
):
    monkeypatch.setattr(workbook, "MAX_ROWS", 50)
    monkeypatch.setattr(workbook, "MAX_FILE_BYTES", 1000)
    path = write_csv(tmp_path / "long.csv", [HEADINGS, *_people(120)])
    with pytest.raises(ImportFileError):  # too large for a registry import
        open_workbook(path)

    feed = upload(officer_a, district.community_a, path)

    assert (feed.status, feed.total_rows) == (FeedStatus.PARSED, 120)


def test_a_feed_above_the_feed_row_cap_fails_without_rows(
    monkeypatch, officer_a, district, tmp_path, upload
):
    monkeypatch.setattr(imports, "FEED_MAX_ROWS", 100)
    path = write_csv(tmp_path / "long.csv", [HEADINGS, *_people(120)])
    feed = upload(officer_a, district.community_a, path)
    assert feed.status == FeedStatus.FAILED
    assert feed.failure == "The file has more than 100 rows; split it into smaller files."
    assert not FeedRow.objects.exists()


def test_a_workbook_is_checked_by_the_worker(officer_a, district, tmp_path, upload):
    # The request never opens the file; a missing column is reported by the worker.
    path = write_xlsx(tmp_path / "trains.xlsx", [["车次", "座位号"], ["G1", "1A"]])
    feed = upload(officer_a, district.community_a, path)
    assert feed.status == FeedStatus.FAILED
    assert "at least one of them" in feed.failure and not FeedRow.objects.exists()

    good = upload(
        officer_a, district.community_a, write_xlsx(tmp_path / "ok.xlsx", [HEADINGS, *_people(3)])
    )
    assert (good.status, good.total_rows, good.mapping["姓名"]) == (FeedStatus.PARSED, 3, "name")


def test_a_file_that_is_no_table_fails_saying_so(officer_a, district, tmp_path, upload):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    feed = upload(officer_a, district.community_a, path)
    assert feed.status == FeedStatus.FAILED
    assert "neither an Excel workbook" in feed.failure


def test_a_screening_offers_only_feeds_read_to_the_end_and_refuses_others(
    client, officer_a, district
):
    read = FeedFactory(unit=district.community_a, original_name="read.csv")
    queued = FeedFactory(
        unit=district.community_a, original_name="queued.csv", status=FeedStatus.QUEUED
    )
    client.force_login(officer_a)
    page = client.get(reverse("screening:run_start"))
    offered = [value for value, _label in page.context["form"].fields["feeds"].choices]
    assert offered == [read.pk]

    response = client.post(
        reverse("screening:run_start"),
        {"feeds": [read.pk, queued.pk], "unit": district.community_a.pk},
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["feeds"]
    assert "queued.csv" in error and "read.csv" not in error  # names the feed not read yet


def test_a_hostile_workbook_fails_the_feed_with_the_reason(officer_a, district, tmp_path, upload):
    from outpost.core.tests.hostile_files import sparse_huge_sheet

    feed = upload(officer_a, district.community_a, sparse_huge_sheet(tmp_path))
    assert feed.status == FeedStatus.FAILED
    assert "XFD1048576" in feed.failure and not FeedRow.objects.exists()


# ---------------------------------------------------------------------------- Parquet


def test_a_parquet_feed_is_read_like_a_csv(officer_a, district, tmp_path, upload):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "姓名": ["张三", "李四", None],
            "身份证号": [valid_id_number(1, region="420102"), ID_15, ""],
            "手机号": ["+86 138-1234-5678", None, "13912345678"],
            "出发地": ["湖北省武汉市江汉区", "孝感", "北京"],
            "到达日期": pa.array(
                [datetime.date(2020, 1, 20), None, datetime.date(2020, 1, 22)], pa.date32()
            ),
            "车次": ["G1234", "d 25", ""],
        }
    )
    path = tmp_path / "rail.parquet"
    pq.write_table(table, path)
    feed = upload(officer_a, district.community_a, path)

    assert (feed.status, feed.total_rows, feed.error_rows) == (FeedStatus.PARSED, 3, 0)
    stored = _rows(feed)
    assert (stored[2].name, stored[2].phone, stored[2].origin_region_code) == (
        "张三",
        "13812345678",
        "420103",
    )
    assert stored[2].arrival_date == datetime.date(2020, 1, 20)
    assert stored[3].id_number == "420102199001011236"  # the 15-digit number upgraded
    assert (stored[3].train_or_flight, stored[3].arrival_date) == ("D25", None)
    assert (stored[4].name, stored[4].phone) == ("", "13912345678")


def test_hostile_parquet_files_fail_the_feed_with_the_reason(
    monkeypatch, officer_a, district, tmp_path, upload
):
    import pyarrow as pa
    import pyarrow.parquet as pq

    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(b"PAR1" + b"\x00garbage" * 50 + b"PAR1")
    nested = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"姓名": [["张三", "李四"]], "手机号": ["13812345678"]}), nested)
    bomb = tmp_path / "bomb.parquet"  # a few kB that unpack to 22 MB
    pq.write_table(
        pa.table({"姓名": pa.array(["张" * 50] * 150_000)}),
        bomb,
        use_dictionary=False,
        compression="zstd",
    )
    assert bomb.stat().st_size < 1024 * 1024
    long = tmp_path / "long.parquet"
    pq.write_table(pa.table({"姓名": [f"旅客{n}" for n in range(120)]}), long)

    failures = {}
    for path in (damaged, nested, bomb, long):
        if path is long:
            monkeypatch.setattr(imports, "FEED_MAX_ROWS", 100)
        feed = upload(officer_a, district.community_a, path)
        assert feed.status == FeedStatus.FAILED
        failures[path.stem] = feed.failure
    assert "cannot be read as one" in failures["damaged"]
    assert "The column 姓名 holds lists or records" in failures["nested"]
    assert "unpacks to far more data than its size" in failures["bomb"]
    assert failures["long"] == "The file has more than 100 rows; split it into smaller files."
    assert not FeedRow.objects.exists()
