"""The JSON API: session or personal bearer token, the same scoping, OpenAPI published."""

import pytest

from outpost.core.services import api_token_create, api_token_revoke
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def test_openapi_document_is_served(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/registry/residents" in response.json()["paths"]


def test_token_gives_the_owner_their_own_scope(client, district, officer_a):
    own = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    other = ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))
    _token, key = api_token_create(acting_user=officer_a, name="数据对接")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    ids = [r["id"] for r in client.get("/api/v1/registry/residents", **headers).json()["items"]]
    assert ids == [own.pk]
    assert client.get(f"/api/v1/registry/residents/{other.pk}", **headers).status_code == 404
    assert client.get("/api/v1/me", **headers).json()["username"] == "officer_a"


def test_token_is_stored_only_as_a_hash(officer_a):
    token, key = api_token_create(acting_user=officer_a, name="数据对接")
    assert key not in token.key_hash
    assert token.key_hash != key


def test_revoked_or_wrong_token_is_refused(client, officer_a):
    token, key = api_token_create(acting_user=officer_a, name="数据对接")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer op_wrong").status_code == 401
    api_token_revoke(acting_user=officer_a, token=token)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_resident_search_matches_a_full_id_number_with_full_width_digits(
    client, district, officer_a
):
    resident = ResidentFactory(
        household=HouseholdFactory(unit=district.grid_a1), id_number="360426199101010071"
    )
    client.force_login(officer_a)
    query = "３６０４２６１９９１０１０１００７１"
    items = client.get("/api/v1/registry/residents", {"q": query}).json()["items"]
    assert [r["id"] for r in items] == [resident.pk]


def test_list_pages_take_a_fixed_number_of_queries(
    client, district, officer_a, django_assert_max_num_queries
):
    for _ in range(30):
        ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    client.force_login(officer_a)
    # One of them reads the subtree's unit ids (`visible_to(..., listed=True)`).
    with django_assert_max_num_queries(13):
        client.get("/registry/residents/")
    with django_assert_max_num_queries(12):
        client.get("/registry/households/")
    with django_assert_max_num_queries(10):
        client.get("/api/v1/registry/residents")
