"""API: key persons under /api/v1/keypersons/, scoped and masked like the pages."""

import json

import pytest
from django.utils import timezone

from outpost.core.models import AccessLog
from outpost.core.services import api_token_create
from outpost.keypersons.choices import KeyPersonStatus
from outpost.keypersons.models import KeyPerson
from outpost.keypersons.tests.factories import KeyPersonFactory
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory, valid_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/api/v1/keypersons/key-persons"


def _key_person(grid, **fields):
    resident = ResidentFactory(household=HouseholdFactory(unit=grid), phone="13912345678")
    return KeyPersonFactory(resident=resident, **fields)


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_the_list_is_scoped_and_masked(client, officer_a, district):
    own = _key_person(district.grid_a1)
    other = _key_person(district.grid_b1)
    _token, key = api_token_create(acting_user=officer_a, name="数据对接")
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["id"] for item in items] == [own.pk]
    item = items[0]
    assert item["id_number_masked"] == own.resident.masked_id_number
    assert item["phone_masked"] == "139****5678"
    body = response.content.decode()
    assert own.resident.id_number not in body
    assert "13912345678" not in body
    assert other.resident.name not in body


def test_the_list_filters_by_status(client, officer_a, district):
    active = _key_person(district.grid_a1)
    _key_person(
        district.grid_a1,
        status=KeyPersonStatus.RELEASED,
        closed_on=timezone.localdate(),
        closed_reason="观察期满",
    )
    client.force_login(officer_a)
    items = client.get(URL, {"status": "active"}).json()["items"]
    assert [item["id"] for item in items] == [active.pk]


def test_anonymous_callers_are_refused(client, district):
    key_person = _key_person(district.grid_a1)
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/{key_person.pk}").status_code == 401
    assert post(client, URL, {"resident_id": key_person.resident_id}).status_code == 401
    assert post(client, f"{URL}/{key_person.pk}/release", {"reason": "期满"}).status_code == 401


def test_a_key_person_of_another_community_is_not_found(client, officer_a, district):
    other = _key_person(district.grid_b1)
    client.force_login(officer_a)
    assert client.get(f"{URL}/{other.pk}").status_code == 404
    response = post(client, f"{URL}/{other.pk}/release", {"reason": "不属本辖区"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == KeyPersonStatus.IDENTIFIED


def test_a_person_not_in_the_registry_is_created_and_shown_masked(client, officer_a, district):
    number = valid_id_number(21, region="420102")
    client.force_login(officer_a)
    response = post(
        client,
        URL,
        {
            "name": "王五",
            "id_number": number,
            "phone": "13812345678",
            "unit_id": district.grid_a1.pk,
            "category": "close_contact",
            "source_note": "上级推送",
        },
    )
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "王五"
    assert data["resident_id"] is None
    assert data["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert number not in response.content.decode()
    assert [source["note"] for source in data["sources"]] == ["上级推送"]


def test_creating_with_a_bad_phone_names_the_field(client, officer_a, district):
    client.force_login(officer_a)
    response = post(
        client,
        URL,
        {"name": "王五", "phone": "12345", "unit_id": district.grid_a1.pk},
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["phone"]
    assert not KeyPerson.objects.exists()


def test_a_resident_already_active_is_not_created_twice(client, officer_a, district):
    key_person = _key_person(district.grid_a1)
    client.force_login(officer_a)
    response = post(client, URL, {"resident_id": key_person.resident_id, "category": "other"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "resident_id"
    assert KeyPerson.objects.count() == 1


def test_the_lifecycle_through_the_api(client, officer_a, district):
    key_person = _key_person(district.grid_a1)
    client.force_login(officer_a)
    managed = post(client, f"{URL}/{key_person.pk}/manage", {})
    assert managed.status_code == 200
    assert managed.json()["status"] == "under_management"

    refused = post(client, f"{URL}/{key_person.pk}/release", {"reason": ""})
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["reason"]

    released = post(client, f"{URL}/{key_person.pk}/release", {"reason": "14天观察期满"})
    assert released.status_code == 200
    assert released.json()["closed_reason"] == "14天观察期满"
    again = post(client, f"{URL}/{key_person.pk}/manage", {})
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "status"


def test_revealing_a_person_not_in_the_registry_is_logged(client, officer_a, district):
    number = valid_id_number(31, region="420102")
    key_person = KeyPersonFactory(
        resident=None, unit=district.grid_a1, name="王五", id_number=number
    )
    client.force_login(officer_a)
    response = post(
        client, f"{URL}/{key_person.pk}/reveal", {"purpose": "other", "reason": "核查身份信息"}
    )
    assert response.status_code == 200
    assert response.json()["id_number"] == number
    assert AccessLog.objects.get().object_id == str(key_person.pk)
