"""The caller's own inbox over the JSON API (/api/v1/notify/)."""

import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Schema
from ninja.pagination import paginate

from outpost.core.api_support import ApiRouter, Pagination, personal_data_free
from outpost.notify import selectors, services

router = ApiRouter(tags=["notify"])

OWN_INBOX = personal_data_free("the caller's own inbox: nobody else's messages")


class InboxMessageOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


@router.get("/inbox", response=list[InboxMessageOut], openapi_extra=OWN_INBOX)
@paginate(Pagination)
def inbox(request: HttpRequest, unread: bool = False):
    return selectors.inbox_messages(user=request.auth, unread_only=unread)


@router.post("/inbox/{message_id}/read", response=InboxMessageOut, openapi_extra=OWN_INBOX)
def inbox_message_read(request: HttpRequest, message_id: int):
    message = get_object_or_404(selectors.inbox_messages(user=request.auth), pk=message_id)
    return services.inbox_message_read(acting_user=request.auth, message=message)
