"""What every API route uses: authentication, the route's scope declaration, scoped lookups,
bounded pagination and the one error shape.

Each operation declares in its OpenAPI document either the scoped model it reads
(`scoped_route(Model)`) or why it shows no personal data (`personal_data_free(reason)`);
the route-walking test refuses an operation that declares neither and exercises the
scoped ones with data of two communities. A scoped write (any method but GET) also needs a
sample body in its app's `tests/factories.py` (`WRITE_PAYLOADS`): the walk sends it against
another community's record, expects a 404 and checks that nothing was written.

Errors are answered in one place (`install_error_handlers`): a route raises
`PermissionDenied` (403), `Http404` (404, also for records out of scope), `ValidationError`
(422 naming the fields as the request names them) or `Conflict` (409), and every answer is
an `ErrorOut`. `ApiRouter` documents those statuses on each operation that can give them.
"""

import functools
import inspect
import typing
from typing import Annotated

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.constants import NOT_SET
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.params.models import BodyModel
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf
from pydantic import AfterValidator, BaseModel, StringConstraints

from outpost.core.choices import REVEAL_PURPOSES
from outpost.core.exceptions import Conflict
from outpost.core.scoping import get_visible
from outpost.core.services import api_token_authenticate
from outpost.core.validators import (
    CODE_MAX_LENGTH,
    LINE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    validate_note,
    validate_text,
)

SCOPE_KEY = "x-outpost-scoped-model"
FREE_KEY = "x-outpost-personal-data-free"
ID_IN_BODY_KEY = "x-outpost-scoped-id-in-body"

# ---------------------------------------------------------------------------- authentication


class TokenAuth(HttpBearer):
    """`Authorization: Bearer op_…` with a personal API token. A browser never sends this
    header on its own, so a token request needs no CSRF token."""

    def authenticate(self, request, token):
        return api_token_authenticate(token, request=request)


class CsrfSessionAuth(SessionAuth):
    """The browser's login session. The CSRF check applies to requests that the session
    authenticates, and only to them: a token request, or an anonymous one, is not refused
    for a missing CSRF token (ninja's `SessionAuth` checked it before looking at anything)."""

    def _get_key(self, request: HttpRequest):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: reload the page and try again."))
        return request.user


# The token first: a request that carries one is answered as its owner, session or not.
API_AUTH = [TokenAuth(), CsrfSessionAuth()]


# ---------------------------------------------------------------------------- scope declarations


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


# ---------------------------------------------------------------------------- masked persons


def masked_person_fields(person: typing.Callable[[typing.Any], typing.Any] | None = None):
    """A schema mixin resolving `id_number_masked` and `phone_masked`: the person's
    `masked_id_number` and `masked_phone`, which core.identity computes (for a resident or a
    key person, by the one display rule), never the full numbers. `person` finds the record
    that carries them when the schema's object is not the person itself (an episode's key
    person, a result's resident). The schema declares the two fields where it lists them."""
    person = person or (lambda obj: obj)

    class MaskedPersonFields(Schema):
        @staticmethod
        def resolve_id_number_masked(obj) -> str:
            return person(obj).masked_id_number

        @staticmethod
        def resolve_phone_masked(obj) -> str:
            return person(obj).masked_phone

    return MaskedPersonFields


MaskedPersonFields = masked_person_fields()


# ---------------------------------------------------------------------------- pagination

# Far beyond any table here, and far below the 64-bit integers databases take for
# OFFSET/LIMIT (larger values made the database refuse the query: a 500).
MAX_OFFSET = 2**31 - 1
MAX_LIMIT = 1000


class Pagination(LimitOffsetPagination):
    """`limit` (1–1000, default 100) and `offset` (0–2³¹−1); out of bounds is a 422."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


# ---------------------------------------------------------------------------- errors


class FieldErrorOut(Schema):
    field: str  # as the request names it (`unit_id`, `members.0.phone`); "" for the whole request
    message: str


class ErrorOut(Schema):
    """Every error the API answers: a sentence to show, and the fields it concerns."""

    detail: str
    errors: list[FieldErrorOut] = []


def _error_response(api, request, status: int, detail: str, errors=()):
    return api.create_response(request, {"detail": detail, "errors": list(errors)}, status=status)


def _field_errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": "" if field == NON_FIELD_ERRORS else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in exc.messages]


def _request_field(loc) -> str:
    # ("body", "payload", "members", 0, "name") -> "members.0.name"; ("query", "limit") -> "limit"
    parts = list(loc[1:])
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]  # the handler's name for the whole body
    return ".".join(str(part) for part in parts)


def install_error_handlers(api) -> None:
    """Answer every error of every route with an `ErrorOut`, once, here."""

    def validation_error(request, exc: ValidationError):
        status = 409 if isinstance(exc, Conflict) else 422
        return _error_response(api, request, status, " ".join(exc.messages), _field_errors(exc))

    def request_validation_error(request, exc: RequestValidationError):
        errors = [
            {"field": _request_field(error.get("loc", ())), "message": str(error.get("msg", ""))}
            for error in exc.errors
        ]
        detail = " ".join(
            f"{error['field']}: {error['message']}" if error["field"] else error["message"]
            for error in errors
        )
        return _error_response(api, request, 422, detail, errors)

    def permission_denied(request, exc: PermissionDenied):
        return _error_response(api, request, 403, str(exc) or _("Your role may not do this."))

    def not_found(request, exc: Http404):
        # The same answer for missing and out of scope: nothing about the record.
        return _error_response(api, request, 404, _("No such record."))

    def http_error(request, exc: HttpError):
        return _error_response(api, request, exc.status_code, str(exc))

    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(RequestValidationError, request_validation_error)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(HttpError, http_error)


# ---------------------------------------------------------------------------- the router


def _input_names(view_func) -> set[str]:
    """The names a request gives its fields: the handler's parameters and the fields of its
    body schemas."""
    names = set()
    for name, parameter in inspect.signature(view_func).parameters.items():
        names.add(name)
        annotation = parameter.annotation
        for candidate in (annotation, *typing.get_args(annotation)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                names.update(candidate.model_fields)
    return names


def _api_field(field: str, names: set[str]) -> str:
    """A service names a record `site` or `feeds`; the request names it `site_id`, `feed_ids`."""
    if field in names:
        return field
    for candidate in (f"{field}_id", f"{field.removesuffix('s')}_ids"):
        if candidate in names:
            return candidate
    return field


def _naming_request_fields(view_func):
    names = _input_names(view_func)

    @functools.wraps(view_func)
    def view(*args, **kwargs):
        try:
            return view_func(*args, **kwargs)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            renamed = {_api_field(field, names): errors for field, errors in exc.error_dict.items()}
            if renamed.keys() == exc.error_dict.keys():
                raise
            raise (Conflict if isinstance(exc, Conflict) else ValidationError)(renamed) from exc

    return view


def _documented_errors(operation, path: str, auth) -> list[int]:
    names = set()
    for model in operation.models:
        for name, field in model.model_fields.items():
            names.add(name)
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                names.update(annotation.model_fields)
    statuses = []
    if any(issubclass(model, BodyModel) for model in operation.models):
        statuses.append(400)  # a body that is not JSON (or not multipart) at all
    if auth is not None:
        statuses += [401, 403]  # no credentials; a role that may not, or a failed CSRF check
    if "{" in path or any(name.endswith(("_id", "_ids")) for name in names):
        statuses.append(404)
    if operation.models:
        statuses.append(422)
    return statuses


class ApiRouter(Router):
    """Every app's router. Each operation's document lists the error statuses it can answer
    with the one `ErrorOut`; a `ValidationError` from a service names its fields as the
    request does."""

    def add_api_operation(self, path, methods, view_func, *, auth=NOT_SET, **kwargs):
        super().add_api_operation(
            path, methods, _naming_request_fields(view_func), auth=auth, **kwargs
        )
        operation = self.path_operations[path].operations[-1]
        for status in _documented_errors(operation, path, auth):
            operation.response_models.setdefault(status, operation._create_response_model(ErrorOut))


# ---------------------------------------------------------------------------- free text
# The types of every text field a client sends (request bodies and query parameters): a
# maximum length and the edge checks of `core.validators.validate_text`, as the forms have.


def _checked(check):
    def run(value: str) -> str:
        try:
            check(value)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None
        return value

    return AfterValidator(run)


Code = Annotated[
    str, StringConstraints(max_length=CODE_MAX_LENGTH), _checked(validate_text)
]  # a choice's value, a document number, a phone, a token
Name = Annotated[str, StringConstraints(max_length=NAME_MAX_LENGTH), _checked(validate_text)]
Line = Annotated[str, StringConstraints(max_length=LINE_MAX_LENGTH), _checked(validate_text)]
Note = Annotated[str, StringConstraints(max_length=NOTE_MAX_LENGTH), _checked(validate_note)]


class RevealIn(Schema):
    """The body of every reveal route: the purpose (one of `REVEAL_PURPOSES`) and, for
    "other", the purpose in words (`reason`); a missing or unknown purpose is a 422 naming
    `purpose`."""

    purpose: typing.Literal[tuple(purpose.value for purpose in REVEAL_PURPOSES)] = Field(
        description="Why the data is revealed (查看目的): "
        "verify_identity 核查身份, phone_contact 电话联系, dispatch 上级调度, other 其他."
    )
    reason: Line = Field("", description='The purpose in words; required for "other".')
