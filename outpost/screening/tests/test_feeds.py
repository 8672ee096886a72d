"""Feed upload: the raw file is kept, every row is stored, bad rows carry their problems."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.urls import reverse
from django.utils import translation

from outpost.core.tests.imports_support import use_import_settings, write_csv, write_xlsx
from outpost.registry.tests.factories import valid_id_number
from outpost.screening.choices import FeedStatus
from outpost.screening.models import Feed, FeedRow
from outpost.screening.services import feed_upload
from outpost.screening.tests.factories import FeedRowFactory

pytestmark = pytest.mark.django_db

HEADINGS = ["姓名", "身份证号", "手机号", "出发地", "到达日期", "车次", "座位号"]
ID_15 = "420102900101123"  # an old number: 1990-01-01


@pytest.fixture(autouse=True)
def feed_settings(settings, tmp_path):
    use_import_settings(settings, tmp_path)
    with translation.override("en"):
        yield


def _upload(user, unit, path, *, source_type="rail"):
    with path.open("rb") as handle:
        return feed_upload(
            acting_user=user,
            unit=unit,
            source_type=source_type,
            file=File(handle, name=path.name),
            original_name=path.name,
        )


def _rows(feed):
    return {r.row_number: r for r in FeedRow.objects.filter(feed=feed)}


def test_a_feed_keeps_its_file_and_every_row_bad_ones_with_their_problems(
    officer_a, district, tmp_path
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
    feed = _upload(officer_a, district.community_a, path)

    assert feed.status == FeedStatus.PARSED_WITH_ERRORS
    assert (feed.total_rows, feed.error_rows) == (5, 3)
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


def test_an_all_blank_id_column_is_no_error(officer_a, district, tmp_path):
    rows = [["旅客姓名", "证件号码", "联系电话", "来源地", "抵连日期"]]
    rows += [[f"旅客{n}", "", f"1381234567{n}", "武汉", 43850 + n] for n in range(3)]
    path = write_xlsx(tmp_path / "arrivals.xlsx", rows, sheet="登记")
    feed = _upload(officer_a, district.community_a, path, source_type="arrivals")

    assert (feed.total_rows, feed.error_rows, feed.status) == (3, 0, FeedStatus.PARSED)
    first = FeedRow.objects.filter(feed=feed).first()
    assert (first.id_number, first.origin_region_code) == ("", "420100")
    assert first.arrival_date == datetime.date(2020, 1, 20)  # an Excel date serial


def test_a_file_with_a_header_and_no_rows_is_refused_with_a_clear_message(
    officer_a, district, tmp_path
):
    path = write_csv(tmp_path / "empty.csv", [HEADINGS])
    with pytest.raises(ValidationError) as caught:
        _upload(officer_a, district.community_a, path)
    assert caught.value.message_dict["file"] == ["No data rows below the header (row 1)."]
    assert not Feed.objects.exists() and not FeedRow.objects.exists()
    assert not list((tmp_path / "media").rglob("*.csv"))


def test_an_empty_file_is_refused(officer_a, district, tmp_path):
    path = tmp_path / "nothing.csv"
    path.write_bytes(b"")
    with pytest.raises(ValidationError) as caught:
        _upload(officer_a, district.community_a, path)
    assert caught.value.message_dict["file"] == ["The file is empty."]


def test_a_file_without_name_id_or_phone_columns_is_refused(officer_a, district, tmp_path):
    path = write_csv(tmp_path / "trains.csv", [["车次", "座位号"], ["G1", "1A"]])
    with pytest.raises(ValidationError) as caught:
        _upload(officer_a, district.community_a, path)
    assert "at least one of them" in caught.value.message_dict["file"][0]


def test_an_officer_uploads_a_feed_in_the_browser(client, officer_a, district, tmp_path):
    path = write_csv(tmp_path / "list.csv", [HEADINGS, ["张三", ID_15, "", "", "", "", ""]])
    client.force_login(officer_a)
    with path.open("rb") as handle:
        response = client.post(
            reverse("screening:feed_upload"),
            {"source_type": "flight", "unit": district.community_a.pk, "file": handle},
        )
    feed = Feed.objects.get()
    assert response.status_code == 302 and response["Location"] == feed.get_absolute_url()
    assert (feed.uploaded_by, feed.source_type, feed.original_name) == (
        officer_a,
        "flight",
        "list.csv",
    )
    assert {h.history_user for h in feed.history.all()} == {officer_a}


def test_the_upload_page_shows_why_a_file_was_refused(client, officer_a, district, tmp_path):
    path = write_csv(tmp_path / "empty.csv", [HEADINGS])
    client.force_login(officer_a)
    with path.open("rb") as handle:
        response = client.post(
            reverse("screening:feed_upload"),
            {"source_type": "rail", "unit": district.community_a.pk, "file": handle},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Feed.objects.exists()


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
