import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Schema, Status

from outpost.core import selectors
from outpost.core.api_support import ApiRouter, personal_data_free
from outpost.core.models import Unit
from outpost.core.scoping import user_scope_unit
from outpost.core.services import (
    API_TOKEN_DEFAULT_DAYS,
    API_TOKEN_MAX_DAYS,
    api_token_create,
    api_token_revoke,
)

router = ApiRouter(tags=["core"])

OWN_TOKENS = personal_data_free("the caller's own API tokens: names and dates, never a key")


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    depth: int


class MeOut(Schema):
    username: str
    display_name: str
    unit: UnitOut | None
    roles: list[str]


@router.get("/me", response=MeOut, openapi_extra=personal_data_free("the caller's own profile"))
def me(request: HttpRequest):
    user = request.auth
    profile = getattr(user, "staff_profile", None)
    return {
        "username": user.get_username(),
        "display_name": profile.display_name if profile else user.get_username(),
        "unit": user_scope_unit(user),
        "roles": [role.value for role in profile.roles] if profile else [],
    }


@router.get(
    "/units",
    response=list[UnitOut],
    openapi_extra=personal_data_free("the jurisdiction tree: unit names only"),
)
def unit_list(request: HttpRequest):
    return Unit.objects.visible_to(request.auth)


# ---------------------------------------------------------------------------- API tokens


class TokenOut(Schema):
    id: int
    name: str
    prefix: str  # the key's first characters after "op_", to tell tokens apart
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    usable: bool

    @staticmethod
    def resolve_usable(obj) -> bool:
        return obj.is_usable()


class TokenCreatedOut(TokenOut):
    key: str  # shown this once: only its hash is stored


class TokenIn(Schema):
    name: str = Field(..., max_length=100)
    expires_in_days: int = Field(API_TOKEN_DEFAULT_DAYS, ge=1, le=API_TOKEN_MAX_DAYS)


@router.get("/tokens", response=list[TokenOut], openapi_extra=OWN_TOKENS)
def token_list(request: HttpRequest):
    """The caller's own personal API tokens (接口令牌), newest first, revoked ones too."""
    return selectors.api_tokens(user=request.auth)


@router.post("/tokens", response={201: TokenCreatedOut}, openapi_extra=OWN_TOKENS)
def token_create(request: HttpRequest, payload: TokenIn):
    """Create a token for the caller, valid for `expires_in_days` (default 90). The answer
    carries the key, once; send it as `Authorization: Bearer <key>`."""
    token, key = api_token_create(
        acting_user=request.auth, name=payload.name, expires_in_days=payload.expires_in_days
    )
    token.key = key
    return Status(201, token)


@router.post("/tokens/{token_id}/revoke", response=TokenOut, openapi_extra=OWN_TOKENS)
def token_revoke(request: HttpRequest, token_id: int):
    """Revoke one of the caller's tokens: it stops working at once. Another user's token is
    a 404."""
    token = get_object_or_404(selectors.api_tokens(user=request.auth), pk=token_id)
    return api_token_revoke(acting_user=request.auth, token=token)
