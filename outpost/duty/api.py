"""Duty in the JSON API (/api/v1/duty/…): who is on duty at a moment for a unit and a
post, scoped like the page (the shifts of the caller's people on published rosters)."""

from datetime import datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Schema
from ninja.pagination import paginate

from outpost.core.api_support import ApiRouter, Pagination, scoped_route
from outpost.core.models import Unit
from outpost.duty import selectors
from outpost.duty.models import Shift

router = ApiRouter(tags=["duty"])


class OnDutyOut(Schema):
    id: int
    post_id: int
    post: str
    post_kind: str
    user_id: int
    name: str
    unit_id: int
    starts_at: datetime
    ends_at: datetime

    @staticmethod
    def resolve_post(obj: Shift) -> str:
        return obj.post.name

    @staticmethod
    def resolve_post_kind(obj: Shift) -> str:
        return obj.post.kind

    @staticmethod
    def resolve_name(obj: Shift) -> str:
        return selectors.person_name(obj.user)


@router.get("/on-duty", response=list[OnDutyOut], openapi_extra=scoped_route(Shift))
@paginate(Pagination)
def on_duty(
    request: HttpRequest,
    at: datetime | None = None,
    unit_id: int | None = None,
    post_id: int | None = None,
):
    """Who is on duty (each item a shift: `id` is the shift's) at `at` (now when left out;
    a time without zone is China time) on the published rosters, of the caller's people: for a unit of the caller's scope
    (`unit_id`) and a post (`post_id`) when given."""
    user = request.auth
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    unit = None
    if unit_id is not None:
        unit = Unit.objects.visible_to(user).filter(pk=unit_id).first()
        if unit is None:
            raise Http404
    post = None
    if post_id is not None:
        post = selectors.posts_seen(user=user).filter(pk=post_id).first()
        if post is None:
            raise Http404
    return selectors.shifts_at(user=user, at=moment, unit=unit, post=post)
