"""What every API route uses: authentication, the route's scope declaration, scoped lookups.

Each operation declares in its OpenAPI document either the scoped model it reads
(`scoped_route(Model)`) or why it shows no personal data (`personal_data_free(reason)`);
the route-walking test refuses an operation that declares neither and exercises the
scoped ones with data of two communities. A scoped write (any method but GET) also needs a
sample body in its app's `tests/factories.py` (`WRITE_PAYLOADS`): the walk sends it against
another community's record, expects a 404 and checks that nothing was written.
"""

from django.db import models
from ninja.security import HttpBearer, SessionAuth

from outpost.core.scoping import get_visible
from outpost.core.services import api_token_authenticate

SCOPE_KEY = "x-outpost-scoped-model"
FREE_KEY = "x-outpost-personal-data-free"
ID_IN_BODY_KEY = "x-outpost-scoped-id-in-body"


class TokenAuth(HttpBearer):
    """`Authorization: Bearer op_…` with a personal API token."""

    def authenticate(self, request, token):
        return api_token_authenticate(token)


API_AUTH = [SessionAuth(), TokenAuth()]


def scoped_route(model: type[models.Model], *, id_in_body: str | None = None) -> dict:
    """`id_in_body`: the operation takes the scoped record's id in this field of its JSON
    body rather than in its path (e.g. `POST /visits` with `household_id`)."""
    extra = {SCOPE_KEY: model._meta.label}
    if id_in_body:
        extra[ID_IN_BODY_KEY] = id_in_body
    return extra


def personal_data_free(reason: str) -> dict:
    return {FREE_KEY: reason}


def api_get_visible(request, model, pk, action: str = "view"):
    return get_visible(model, request.auth, pk, action)
