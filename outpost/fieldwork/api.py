"""Offline field work under /api/v1/fieldwork/: the phone's field copy, and the records of
its outbox sent in order, many in one request, each with its own outcome."""

import datetime
import uuid

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from outpost.core.api_support import ApiRouter, personal_data_free
from outpost.fieldwork import services
from outpost.fieldwork.choices import SubmissionKind

router = ApiRouter(tags=["fieldwork"])


@router.get(
    "/copy",
    response=dict,
    openapi_extra=personal_data_free(
        "the caller's own field copy: their own grid's households, their own key persons and "
        "the site where they are on duty, masked as their pages show them; logged in the "
        "access log; outpost/fieldwork/tests/test_field_copy.py proves nothing of another "
        "unit is in it"
    ),
)
def field_copy(request: HttpRequest):
    """The field copy the phone keeps for work without a signal (wiped after 12 hours
    without a refresh, and at logout)."""
    return services.field_copy_take(
        acting_user=request.auth, ip_address=request.META.get("REMOTE_ADDR")
    )


class SubmissionIn(Schema):
    key: uuid.UUID  # made on the phone when the record was saved
    kind: SubmissionKind
    recorded_at: datetime.datetime  # the phone's time of recording, with its offset (+08:00)
    recorded_by: int | None = None  # the user id the phone recorded it for
    body: dict


class BatchIn(Schema):
    sent_at: datetime.datetime | None = None  # the phone's clock when it sent the batch
    records: list[SubmissionIn] = Field(..., max_length=services.BATCH_MAX)


class FieldErrorItem(Schema):
    field: str
    message: str


class OutcomeOut(Schema):
    key: str
    status: str  # stored, replayed (stored before: the same record), refused, conflict
    code: int  # 201 stored, 200 replayed, 409 conflict, 403/404/422 refused
    record_id: int | None = None
    detail: str = ""
    errors: list[FieldErrorItem] = []
    flag: str = ""


class BatchOut(Schema):
    outcomes: list[OutcomeOut]
    clock_offset_seconds: int | None = None
    clock_note: str = ""


@router.post(
    "/submissions",
    response=BatchOut,
    openapi_extra=personal_data_free(
        "each record goes through its own app's service with the caller's scope (a record "
        "out of it is refused with code 404, nothing written); the answer holds keys, ids "
        "and messages; outpost/fieldwork/tests/test_submissions.py"
    ),
)
def submissions(request: HttpRequest, payload: BatchIn):
    """Store the records of a phone's outbox (up to 500 a request), in order, each exactly
    once by its key; one outcome per record."""
    user = request.auth
    outcomes, offset = services.submissions_apply(
        acting_user=user,
        submissions=[
            services.Submission(
                key=record.key,
                kind=record.kind,
                recorded_at=record.recorded_at,
                body=record.body,
                recorded_by=record.recorded_by,
            )
            for record in payload.records
        ],
        sent_at=payload.sent_at,
    )
    note = ""
    if offset is not None and abs(offset) > services.CLOCK_SKEW:
        note = _(
            "Your phone's clock is %(minutes)d minutes off: the times recorded were put right."
        ) % {"minutes": round(offset.total_seconds() / 60)}
    return {
        "outcomes": outcomes,
        "clock_offset_seconds": None if offset is None else round(offset.total_seconds()),
        "clock_note": note,
    }
