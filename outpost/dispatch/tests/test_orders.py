"""Importing an order: every row kept, matched with the screening engine, routed to the
responsible officer by the resident's unit, one message per officer per order."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.dispatch.choices import MatchStatus, OrderStatus
from outpost.dispatch.models import DispatchItem, DispatchOrder
from outpost.dispatch.tests.conftest import ORDER_HEADERS, order_row, write_order
from outpost.dispatch.uploads import order_upload
from outpost.notify.choices import MessageKind
from outpost.notify.models import InboxMessage
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def items_of(order):
    return list(DispatchItem.objects.filter(order=order).order_by("row_number"))


def test_every_row_is_kept_with_its_columns_in_order(upload, resident_a1):
    order = upload([order_row(1, resident_a1, note="密接"), order_row(2, name="查无此人")])

    assert order.status == OrderStatus.READY
    assert order.headers == ORDER_HEADERS
    assert order.header_row == 2  # below the merged title row
    first, second = items_of(order)
    assert first.row_number == 3
    assert first.values == [
        "1",
        resident_a1.name,
        resident_a1.id_number,
        resident_a1.phone,
        "湖北省武汉市",
        "密接",
    ]
    assert second.values[1] == "查无此人"
    assert order.file.name  # the raw file is kept


def test_items_are_routed_to_the_officer_of_the_residents_community(
    upload, district, officer_a, officer_b, resident_a1, resident_b1
):
    order = upload([order_row(1, resident_a1), order_row(2, resident_b1)])

    item_a, item_b = items_of(order)
    assert (item_a.resident, item_a.unit, item_a.assigned_officer) == (
        resident_a1,
        district.grid_a1,
        officer_a,
    )
    assert (item_b.resident, item_b.unit, item_b.assigned_officer) == (
        resident_b1,
        district.grid_b1,
        officer_b,
    )
    assert item_a.match_status == MatchStatus.AUTO


def test_without_a_community_officer_the_police_offices_officer_gets_the_item(
    upload, district, resident_a1
):
    office_officer = staff_user(role=Role.POLICE_OFFICER, unit=district.office, username="o1")

    (item,) = items_of(upload([order_row(1, resident_a1)]))

    assert item.assigned_officer == office_officer


def test_each_officer_gets_one_message_per_order_however_many_items(
    upload, district, officer_a, officer_b, resident_b1
):
    residents = [ResidentFactory(household=HouseholdFactory(unit=district.grid_a1)) for _ in "abc"]
    order = upload([order_row(n, r) for n, r in enumerate([*residents, resident_b1], start=1)])

    to_a = InboxMessage.objects.filter(recipient=officer_a)
    assert to_a.count() == 1
    message = to_a.get()
    assert message.kind == MessageKind.ORDER_ITEM
    # In the officer's language (none chosen: Chinese), whatever the uploader's.
    assert "3 条待核查" in message.subject and order.order_number in message.subject
    assert message.url == reverse("dispatch:my_items") + f"?order={order.pk}"
    assert InboxMessage.objects.filter(recipient=officer_b).count() == 1


def test_an_order_matching_nobody_goes_whole_to_the_duty_desk(upload, district, officer_a):
    order = upload([order_row(n, name=f"外地人员{n}", id_number="") for n in (1, 2, 3)])

    items = items_of(order)
    assert order.status == OrderStatus.READY and len(items) == 3
    assert {i.match_status for i in items} == {MatchStatus.UNMATCHED}
    assert {i.unit for i in items} == {district.station}
    assert {i.assigned_officer for i in items} == {None}
    assert not InboxMessage.objects.exists()


def test_the_same_person_twice_is_kept_twice_and_flagged(upload, officer_a, resident_a1):
    order = upload(
        [order_row(1, resident_a1), order_row(2, name="别人"), order_row(3, resident_a1)]
    )

    first, _other, again = items_of(order)
    assert again.resident == first.resident == resident_a1
    assert again.duplicate_of == first
    assert first.duplicate_of is None
    assert again.assigned_officer == officer_a


def test_flagging_and_routing_items_leave_history_naming_the_uploader(
    upload, officer_a, resident_a1, station_officer
):
    order = upload([order_row(1, resident_a1), order_row(2, resident_a1)])

    _first, again = items_of(order)
    latest = again.history.latest()
    assert (latest.history_user, latest.assigned_officer_id) == (station_officer, officer_a.pk)
    assert again.history.filter(duplicate_of__isnull=False).exists()


def test_the_same_unmatched_person_twice_is_flagged_by_id_number(upload):
    stranger = ["1", "外地人", "110101199003070019", "13912345678", "", ""]
    order = upload([stranger, ["2", *stranger[1:]]])

    first, again = items_of(order)
    assert again.duplicate_of == first


def test_a_deadline_already_past_is_accepted_and_the_page_warns(
    upload, client, station_officer, resident_a1, officer_a
):
    order = upload(
        [order_row(1, resident_a1)], deadline=timezone.now() - datetime.timedelta(hours=3)
    )
    client.force_login(station_officer)

    page = client.get(order.get_absolute_url()).content.decode()

    assert order.status == OrderStatus.READY
    assert 'data-testid="deadline-past"' in page
    assert 'data-testid="count-overdue">1<' in page
    assert "overdue-row" in page


def test_a_workbook_naming_no_person_column_fails_with_the_reason_and_no_item(
    tmp_path, district, station_officer, media, django_capture_on_commit_callbacks
):
    path = write_order(tmp_path / "bad.xlsx", [["1", "x"]], headers=["序号", "事项"])

    with django_capture_on_commit_callbacks(execute=True):
        order = order_upload(
            acting_user=station_officer,
            unit=district.station,
            order_number="1",
            issuing_body="上级",
            title="t",
            deadline=timezone.now(),
            file=SimpleUploadedFile("bad.xlsx", path.read_bytes()),
        )

    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    assert "no column for the name" in order.failure
    assert not order.items.exists()


def test_an_order_can_only_be_imported_into_ones_own_jurisdiction(
    tmp_path, district, officer_a, media
):
    path = write_order(tmp_path / "o.xlsx", [order_row(1, name="某人")])

    with pytest.raises(Exception) as refused:
        order_upload(
            acting_user=officer_a,
            unit=district.community_b,
            order_number="1",
            issuing_body="上级",
            title="t",
            deadline=timezone.now(),
            file=SimpleUploadedFile("o.xlsx", path.read_bytes()),
        )

    assert "outside your jurisdiction" in str(refused.value)


def test_the_upload_page_imports_and_lands_on_the_order(
    client,
    tmp_path,
    district,
    station_officer,
    resident_a1,
    officer_a,
    media,
    django_capture_on_commit_callbacks,
):
    path = write_order(tmp_path / "o.xlsx", [order_row(1, resident_a1)])
    client.force_login(station_officer)

    with path.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dispatch:order_upload"),
            {
                "unit": district.station.pk,
                "order_number": "调度〔2020〕3号",
                "issuing_body": "市指挥部",
                "title": "核查",
                "deadline": "2020-02-10T18:00",
                "file": handle,
            },
        )

    order = DispatchOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url()
    assert order.deadline.strftime("%Y-%m-%d") == "2020-02-10"
    assert DispatchItem.objects.get(order=order).assigned_officer == officer_a


def test_a_hostile_workbook_fails_the_order_with_the_reason(
    tmp_path, district, station_officer, media, django_capture_on_commit_callbacks
):
    from outpost.core.tests.hostile_files import sparse_huge_sheet

    path = sparse_huge_sheet(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_upload(
            acting_user=station_officer,
            unit=district.station,
            order_number="2",
            issuing_body="上级",
            title="t",
            deadline=timezone.now(),
            file=SimpleUploadedFile("huge.xlsx", path.read_bytes()),
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    assert "XFD1048576" in order.failure and not order.items.exists()
