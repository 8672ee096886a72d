"""The feedback workbook: the order's own columns in order, values as sent, results added;
background export, logged, only for who may export and only for who asked."""

import io

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from outpost.core.choices import AccessAction, Role
from outpost.core.models import AccessLog
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks
from outpost.dispatch.choices import ItemResult
from outpost.dispatch.models import DispatchItem
from outpost.dispatch.services import item_result_record
from outpost.dispatch.tests.conftest import ORDER_HEADERS, order_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RESULT_HEADINGS = ["Result", "Moved to", "Note", "Verified at", "Verified by"]


@pytest.fixture
def order(upload, resident_a1, officer_a):
    order = upload(
        [
            order_row(1, resident_a1, note="密接"),
            ["2", "外地人员", "110101199003070019", "13912345678", "湖北省", "航班CZ3"],
        ]
    )
    first = DispatchItem.objects.get(order=order, row_number=3)
    item_result_record(
        acting_user=officer_a,
        item=first,
        version=0,
        result=ItemResult.MOVED_AWAY,
        moved_to="沈阳市",
        note="电话核实",
    )
    return order


@pytest.fixture(autouse=True)
def database_queue(order, settings):
    """The order is read at once; the export goes through the database queue and the real
    worker, as in production (its id names the file and the status page)."""
    settings.TASKS = DATABASE_TASKS


def export(client, order, reason="反馈上级核查结果"):
    response = client.post(
        reverse("dispatch:feedback", args=[order.pk]), {"purpose": "other", "reason": reason}
    )
    run_queued_tasks()
    return response


def test_the_feedback_workbook_keeps_the_orders_columns_and_adds_the_results(
    client, order, station_officer, resident_a1, officer_a
):
    client.force_login(station_officer)

    response = export(client, order)
    status_url = response["Location"]
    status = client.get(status_url).content.decode()
    download_url = status_url + "download/"
    assert download_url in status
    download = client.get(download_url)

    assert download.status_code == 200
    path = order.file.storage.path("feedback.xlsx")
    with open(path, "wb") as handle:
        handle.write(b"".join(download.streaming_content))
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert list(rows[0]) == ORDER_HEADERS + RESULT_HEADINGS
    first, second = rows[1], rows[2]
    assert list(first[:6]) == [
        "1",
        resident_a1.name,
        resident_a1.id_number,
        resident_a1.phone,
        "湖北省武汉市",
        "密接",
    ]  # as sent, unmasked: it is the higher level's own list
    assert list(first[6:9]) == ["Moved away", "沈阳市", "电话核实"]
    assert first[9]  # verified at
    assert first[10] == str(officer_a.staff_profile)
    assert list(second[:6]) == [
        "2",
        "外地人员",
        "110101199003070019",
        "13912345678",
        "湖北省",
        "航班CZ3",
    ]
    assert second[6] == "Not verified yet"


def test_the_feedback_export_is_in_the_access_log_with_its_reason(client, order, station_officer):
    client.force_login(station_officer)

    export(client, order, reason="按指挥部要求反馈")

    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert log.actor == station_officer
    assert log.reason == "按指挥部要求反馈"
    assert log.row_count == 2
    assert order.order_number in log.subject


def test_a_reason_is_required(client, order, station_officer):
    client.force_login(station_officer)

    response = export(client, order, reason="")

    assert response.status_code == 422
    assert not AccessLog.objects.exists()


def test_a_reason_too_short_is_refused_on_the_page_and_nothing_is_queued(
    client, order, station_officer
):
    client.force_login(station_officer)

    response = export(client, order, reason="核")

    assert response.status_code == 422
    assert "at least 4 characters" in response.content.decode()
    assert not DBTaskResult.objects.filter(args_kwargs__kwargs__export_name="dispatch.feedback")


def test_a_role_without_the_export_permission_gets_no_workbook(client, order, district):
    analyst = staff_user(role=Role.ANALYST, unit=district.station, username="analyst")
    client.force_login(analyst)

    assert (
        "may not export"
        in client.get(reverse("dispatch:feedback", args=[order.pk])).content.decode()
    )
    assert export(client, order).status_code == 404
    assert not AccessLog.objects.exists()


def test_only_the_user_who_asked_may_download(client, order, station_officer, district):
    client.force_login(station_officer)
    status_url = export(client, order)["Location"]
    other = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    client.force_login(other)

    assert client.get(status_url).status_code == 404
    assert client.get(status_url + "download/").status_code == 404


def _feedback_rows(client, order):
    status_url = export(client, order)["Location"]
    download = client.get(status_url + "download/")
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    return list(load_workbook(io.BytesIO(content)).active)


def test_a_result_note_or_a_value_that_looks_like_a_formula_stays_text(
    client, order, station_officer
):
    item = DispatchItem.objects.get(order=order, row_number=3)
    DispatchItem.objects.filter(pk=item.pk).update(
        result_note="=1+1", values=["@SUM(A1:A9)", *item.values[1:]]
    )
    client.force_login(station_officer)

    first = _feedback_rows(client, order)[1]

    assert (first[0].data_type, first[0].value) == ("s", "@SUM(A1:A9)")
    assert (first[8].data_type, first[8].value) == ("s", "=1+1")


def test_a_control_character_in_a_result_note_does_not_break_the_workbook(
    client, order, station_officer
):
    DispatchItem.objects.filter(order=order, row_number=3).update(result_note="已核实\x1b")
    client.force_login(station_officer)

    first = _feedback_rows(client, order)[1]

    assert first[8].value == "已核实\ufffd"
