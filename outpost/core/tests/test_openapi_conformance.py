"""The API answers as its OpenAPI document says: schemathesis generates requests for every
operation, as a grid worker and as an officer, and no answer is a server error or strays from
the document (status, content type, body schema)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from outpost.api import api
from outpost.core.services import api_token_create
from outpost.registry.tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Per operation: valid requests (they reach the handler and its refusals) and invalid ones
# (they reach the request validation). Few, so the whole test stays within a few minutes on
# a loaded CI machine.
EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 3, schemathesis.GenerationMode.NEGATIVE: 2}


@pytest.fixture
def wsgi_app():
    """Django behind WSGI, on the test's own database connection: like the test client,
    keep the connection open between requests (it holds the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _operations():
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("username", ["grid_worker_a1", "officer_a"])
def test_every_operation_answers_as_documented(request, district, wsgi_app, username):
    user = request.getfixturevalue(username)
    ResidentFactory.create_batch(2, household=HouseholdFactory(unit=district.grid_a1))
    _token, key = api_token_create(acting_user=user, name="schemathesis")
    # Revoking is exercised on a spare token: revoking the one in use would end the run.
    spare, _spare_key = api_token_create(acting_user=user, name="spare")
    headers = {"Authorization": f"Bearer {key}"}
    failures = []
    for operation in _operations():
        fixed = {"token_id": spare.pk} if "{token_id}" in operation.path else None
        for mode, examples in EXAMPLES.items():

            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(mode, path_parameters=fixed))
            def call(case):
                response = case.call(app=wsgi_app, headers=headers)
                case.validate_response(response, checks=CHECKS)

            try:
                call()
            except (Exception, BaseExceptionGroup) as exc:  # every failing operation, then all
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert failures == []
