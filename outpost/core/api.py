from django.http import HttpRequest
from ninja import Router, Schema

from outpost.core.api_support import personal_data_free
from outpost.core.models import Unit
from outpost.core.scoping import user_scope_unit

router = Router(tags=["core"])


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
