"""One error shape for every route of the API, documented once, and bounded list pages."""

import json

import pytest
from ninja import Schema

from outpost.api import api
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db

ERROR_STATUSES = {"400", "401", "403", "404", "409", "410", "422", "429"}
ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}


def _error_shape(response) -> tuple[str, list[str]]:
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert all(set(error) == {"field", "message"} for error in body["errors"])
    return body["detail"], [error["field"] for error in body["errors"]]


def _operations():
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_error_status_of_every_operation_is_documented_with_the_one_error_schema():
    wrong = [
        f"{method.upper()} {path} {status}"
        for path, method, operation in _operations()
        for status, response in operation["responses"].items()
        if str(status) in ERROR_STATUSES
        and response["content"]["application/json"]["schema"] != ERROR_SCHEMA
    ]
    assert wrong == []


def test_operations_document_their_refusals():
    responses = {
        f"{method.upper()} {path}": {str(status) for status in operation["responses"]}
        for path, method, operation in _operations()
    }
    assert {"401", "403", "404", "422"} <= responses["GET /api/v1/registry/residents/{resident_id}"]
    assert {"409", "422"} <= responses["POST /api/v1/dispatch/items/{item_id}/result"]
    assert "404" not in responses["GET /api/v1/me"]


def test_the_error_schema_documents_detail_as_the_string_it_is():
    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert schemas["ErrorOut"]["properties"]["detail"]["type"] == "string"


def test_every_api_schema_has_a_name_of_its_own():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = {}
    for schema in subclasses(Schema):
        if schema.__module__.startswith("outpost."):
            names.setdefault(schema.__name__, set()).add(schema.__module__)
    assert {name: modules for name, modules in names.items() if len(modules) > 1} == {}


def test_a_malformed_request_is_a_422_naming_its_fields(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/api/v1/registry/residents", {"limit": "many"})
    assert response.status_code == 422
    assert _error_shape(response)[1] == ["limit"]


def test_a_service_refusing_a_value_is_a_422_naming_the_field(client, district, officer_a):
    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    client.force_login(officer_a)
    response = client.post(
        f"/api/v1/registry/residents/{resident.pk}/reveal",
        json.dumps({"purpose": "other", "reason": "看"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert _error_shape(response)[1] == ["reason"]


def test_a_role_that_may_not_is_a_403_in_the_same_shape(client, district, grid_worker_a1):
    resident = ResidentFactory(household=HouseholdFactory(unit=district.grid_a1))
    client.force_login(grid_worker_a1)
    response = client.post(
        f"/api/v1/registry/residents/{resident.pk}/reveal",
        json.dumps({"purpose": "verify_identity"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    _error_shape(response)


def test_a_record_out_of_scope_is_a_404_in_the_same_shape(client, district, officer_a, english):
    other = ResidentFactory(household=HouseholdFactory(unit=district.grid_b1))
    client.force_login(officer_a)
    response = client.get(f"/api/v1/registry/residents/{other.pk}")
    assert response.status_code == 404
    assert _error_shape(response) == ("No such record.", [])


def test_no_credentials_is_a_401_in_the_same_shape(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    _error_shape(response)


def _list_operations():
    for path, _method, operation in _operations():
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        if {"limit", "offset"} <= names:
            yield pytest.param(path, id=path)


@pytest.mark.parametrize("parameter", ["limit", "offset"])
def test_every_list_refuses_a_page_beyond_the_database_integers(client, officer_a, parameter):
    client.force_login(officer_a)
    paths = [param.values[0] for param in _list_operations()]
    assert len(paths) >= 17
    statuses = {}
    for path in paths:
        url = path.replace("{", "").replace("}", "")
        url = "/".join("1" if part.endswith("_id") else part for part in url.split("/"))
        statuses[path] = client.get(url, {parameter: 2**63}).status_code
    assert set(statuses.values()) == {422}, statuses
