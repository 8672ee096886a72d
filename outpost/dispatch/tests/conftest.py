"""Fixtures of the dispatch tests (the district and its staff are in the root conftest)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.core.tests.imports_support import use_import_settings, write_xlsx
from outpost.dispatch.uploads import order_upload
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

ORDER_HEADERS = ["序号", "姓名", "身份证号码", "联系电话", "户籍地", "备注"]


@pytest.fixture
def media(settings, tmp_path):
    use_import_settings(settings, tmp_path)


@pytest.fixture
def officer_b(district):
    return staff_user(role=Role.POLICE_OFFICER, unit=district.community_b, username="officer_b")


@pytest.fixture
def station_officer(district):
    """The station's duty officer, who receives orders from above."""
    return staff_user(role=Role.POLICE_OFFICER, unit=district.station, username="officer_s")


@pytest.fixture
def resident_a1(district):
    return ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))


@pytest.fixture
def resident_b1(district):
    return ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))


def order_row(n: int, resident=None, *, name="", id_number="", phone="", note="") -> list:
    """One row as a higher level writes it: its own number, the person, its own remarks."""
    if resident is not None:
        name, id_number, phone = resident.name, resident.id_number, resident.phone
    return [n, name, id_number, phone, "湖北省武汉市", note or f"备注{n}"]


def write_order(path, rows, *, headers=ORDER_HEADERS):
    """An order workbook with a merged title row above its header, as they come."""
    width = len(headers)
    letter = chr(ord("A") + width - 1)
    return write_xlsx(
        path,
        [["关于开展重点人员落地核查的通知"], headers, *rows],
        sheet="核查名单",
        merges=[f"A1:{letter}1"],
    )


@pytest.fixture
def upload(tmp_path, django_capture_on_commit_callbacks, district, station_officer, media):
    """Upload an order as the station officer; the background reading runs at once."""

    def do(rows, *, user=None, deadline=None, headers=ORDER_HEADERS, number="调度〔2020〕17号"):
        path = write_order(tmp_path / "order.xlsx", rows, headers=headers)
        with django_capture_on_commit_callbacks(execute=True):
            order = order_upload(
                acting_user=user or station_officer,
                unit=district.station,
                order_number=number,
                issuing_body="市疫情防控指挥部",
                title="重点人员落地核查",
                deadline=deadline or timezone.now() + datetime.timedelta(days=1),
                file=SimpleUploadedFile("order.xlsx", path.read_bytes()),
            )
        order.refresh_from_db()
        return order

    return do
