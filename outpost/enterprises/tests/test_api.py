"""/api/v1/enterprises/: list, detail and create, scoped; a liaison only its own."""

import json

import pytest

from outpost.enterprises.choices import Sector
from outpost.enterprises.models import Enterprise
from outpost.enterprises.tests.factories import (
    EnterpriseContactFactory,
    EnterpriseFactory,
    credit_code,
    liaison_of,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/enterprises/enterprises"


@pytest.fixture
def enterprises(district):
    return {
        "A": EnterpriseFactory(unit=district.grid_a1, name="甲食品厂"),
        "A2": EnterpriseFactory(unit=district.grid_a2, name="甲保供厂", is_essential=True),
        "B": EnterpriseFactory(unit=district.grid_b1, name="乙物流公司"),
    }


def _ids(response):
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


def test_the_officer_lists_the_communitys_enterprises(client, officer_a, enterprises):
    client.force_login(officer_a)
    assert _ids(client.get(BASE)) == {enterprises["A"].pk, enterprises["A2"].pk}
    assert _ids(client.get(BASE, {"essential": "yes"})) == {enterprises["A2"].pk}


def test_a_liaison_lists_and_reads_only_its_own(client, enterprises):
    client.force_login(liaison_of(enterprises["A"]))
    assert _ids(client.get(BASE)) == {enterprises["A"].pk}
    assert client.get(f"{BASE}/{enterprises['A'].pk}").status_code == 200
    assert client.get(f"{BASE}/{enterprises['A2'].pk}").status_code == 404
    assert client.get(f"{BASE}/{enterprises['B'].pk}").status_code == 404


def test_the_detail_has_the_contacts_phones_masked(client, officer_a, enterprises):
    EnterpriseContactFactory(enterprise=enterprises["A"], name="王经理", phone="13911112222")
    client.force_login(officer_a)
    body = client.get(f"{BASE}/{enterprises['A'].pk}").json()
    assert body["contacts"][0]["name"] == "王经理"
    assert body["contacts"][0]["phone_masked"] == "139****2222"
    assert "13911112222" not in json.dumps(body)


def _post(client, **values):
    return client.post(BASE, json.dumps(values), content_type="application/json")


def test_the_officer_registers_an_enterprise(client, officer_a, district):
    client.force_login(officer_a)
    code = credit_code(777)
    response = _post(
        client,
        unit_id=district.grid_a1.pk,
        name="甲口罩厂",
        credit_code=code,
        sector=Sector.MEDICAL,
    )
    assert response.status_code == 201
    assert response.json()["credit_code"] == code
    assert Enterprise.objects.get(credit_code=code).created_by == officer_a


def test_a_bad_credit_code_is_a_422_naming_the_field(client, officer_a, district):
    client.force_login(officer_a)
    code = credit_code(777)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = _post(
        client, unit_id=district.grid_a1.pk, name="甲口罩厂", credit_code=wrong, sector="food"
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["credit_code"]
    assert not Enterprise.objects.exists()


def test_a_liaison_may_not_register_enterprises(client, enterprises, district):
    client.force_login(liaison_of(enterprises["A"]))
    response = _post(
        client,
        unit_id=district.grid_a1.pk,
        name="甲口罩厂",
        credit_code=credit_code(778),
        sector="food",
    )
    assert response.status_code in (403, 404)
    assert Enterprise.objects.count() == 3
