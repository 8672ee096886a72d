"""Notices in the JSON API (/api/v1/enterprises/notices…): list and read the notices the
caller may see, push one, list receipts, confirm a receipt, escalate one. Scoped like the
pages: a liaison sees only the notices pushed to its enterprise and only its own receipt;
another enterprise's receipt is a 404."""

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from outpost.core.api_support import (
    ApiRouter,
    Code,
    Line,
    Pagination,
    api_get_visible,
    personal_data_free,
    scoped_route,
)
from outpost.core.models import Unit
from outpost.enterprises.models import Enterprise
from outpost.enterprises.notices import selectors, services
from outpost.enterprises.notices.models import BODY_MAX_LENGTH, Notice, NoticeReceipt

router = ApiRouter(tags=["enterprises"])


class NoticeOut(Schema):
    id: int
    title: str
    source_authority: str
    version: int
    unit_id: int
    pushed_at: datetime
    deadline: datetime
    supersedes_id: int | None
    superseded_by_id: int | None = Field(
        None, description="The notice that replaced this one: it is superseded when set."
    )
    confirmed: int = Field(description="Receipts the caller sees that are confirmed.")
    unconfirmed: int = Field(description="Receipts the caller sees that are not confirmed.")

    @staticmethod
    def resolve_superseded_by_id(obj: Notice) -> int | None:
        newer = obj.newer
        return newer.pk if newer is not None else None

    @staticmethod
    def resolve_confirmed(obj: Notice) -> int:
        return obj.n_confirmed

    @staticmethod
    def resolve_unconfirmed(obj: Notice) -> int:
        return obj.n_unconfirmed


class EscalationOut(Schema):
    step: str
    at: datetime
    by_id: int | None
    detail: str


class ReceiptOut(Schema):
    id: int
    notice_id: int
    enterprise_id: int
    enterprise_name: str
    confirmed_at: datetime | None
    confirmed_by_id: int | None
    confirmed_via: str
    escalation_level: int
    escalated_at: datetime | None
    call_officer_id: int | None
    call_done_at: datetime | None

    @staticmethod
    def resolve_enterprise_name(obj: NoticeReceipt) -> str:
        return obj.enterprise.name


class ReceiptDetailOut(ReceiptOut):
    escalations: list[EscalationOut]

    @staticmethod
    def resolve_escalations(obj: NoticeReceipt):
        return list(obj.escalations.all())


class NoticeDetailOut(NoticeOut):
    body: str
    attachments: list[str]
    receipts: list[ReceiptDetailOut]

    @staticmethod
    def resolve_attachments(obj: Notice) -> list[str]:
        return [attachment.original_name for attachment in obj.attachments.all()]

    @staticmethod
    def resolve_receipts(obj: Notice) -> list[NoticeReceipt]:
        return obj.receipts_seen


class NoticeIn(Schema):
    """A notice to push: to `enterprise_ids` and/or every enterprise of `unit_ids`."""

    title: Line
    body: str = Field(max_length=BODY_MAX_LENGTH)
    source_authority: Line
    deadline: datetime
    enterprise_ids: list[int] = []
    unit_ids: list[int] = []
    supersedes_id: int | None = None
    version: int | None = Field(None, ge=1, le=999)


def _notice(request, notice_id: int) -> Notice:
    api_get_visible(request, Notice, notice_id)
    notice = selectors.notice_list(user=request.auth).get(pk=notice_id)
    notice.receipts_seen = list(selectors.notice_receipts(user=request.auth, notice=notice))
    return notice


@router.get("/notices", response=list[NoticeOut], openapi_extra=scoped_route(Notice))
@paginate(Pagination)
def notice_list(request: HttpRequest, receipts: Code = ""):
    """The notices the caller may see, newest first, with the receipts it sees counted;
    a liaison's `receipts=unconfirmed` keeps those its enterprise has still to confirm."""
    return selectors.notice_list(user=request.auth, receipts=receipts)


@router.get(
    "/notices/receipts",
    response=list[ReceiptOut],
    openapi_extra=scoped_route(NoticeReceipt),
)
@paginate(Pagination)
def receipt_list(request: HttpRequest, notice_id: int | None = None, confirmed: bool | None = None):
    """The receipts the caller may see (a liaison: its enterprise's), of one notice when
    `notice_id` is given; `confirmed` true or false filters."""
    receipts = NoticeReceipt.objects.visible_to(request.auth).select_related("enterprise")
    if notice_id is not None:
        receipts = receipts.filter(notice=api_get_visible(request, Notice, notice_id))
    if confirmed is not None:
        receipts = receipts.filter(confirmed_at__isnull=not confirmed)
    return receipts.order_by("-notice__pushed_at", "enterprise__name", "pk")


@router.get("/notices/{notice_id}", response=NoticeDetailOut, openapi_extra=scoped_route(Notice))
def notice_detail(request: HttpRequest, notice_id: int):
    """One notice with the receipts the caller sees (a liaison: its own) and their
    escalation steps."""
    return _notice(request, notice_id)


@router.post(
    "/notices",
    response={201: NoticeOut},
    openapi_extra=personal_data_free(
        "writes a notice (no personal data); the enterprises, units and replaced notice "
        "named are looked up in the caller's scope (404 outside); enterprises/tests/"
        "test_notices_api.py"
    ),
)
def notice_push(request: HttpRequest, payload: NoticeIn):
    """Push a notice (attachments: on the page). No recipient, a past deadline, a notice
    already replaced: a 422 naming the field."""
    user = request.auth
    enterprises = [api_get_visible(request, Enterprise, pk) for pk in payload.enterprise_ids]
    units = [_unit(request, pk) for pk in payload.unit_ids]
    supersedes = (
        api_get_visible(request, Notice, payload.supersedes_id)
        if payload.supersedes_id is not None
        else None
    )
    notice = services.notice_push(
        acting_user=user,
        title=payload.title,
        body=payload.body,
        source_authority=payload.source_authority,
        deadline=payload.deadline,
        enterprises=enterprises,
        units=units,
        supersedes=supersedes,
        version=payload.version,
    )
    return Status(201, selectors.notice_list(user=user).get(pk=notice.pk))


def _unit(request, pk: int) -> Unit:
    unit = Unit.objects.visible_to(request.auth).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def _receipt(request, receipt_id: int, action: str = "view") -> NoticeReceipt:
    receipt = api_get_visible(request, NoticeReceipt, receipt_id, action)
    return NoticeReceipt.objects.select_related("notice", "enterprise").get(pk=receipt.pk)


def _receipt_out(receipt: NoticeReceipt) -> NoticeReceipt:
    return (
        NoticeReceipt.objects.select_related("enterprise")
        .prefetch_related("escalations")
        .get(pk=receipt.pk)
    )


@router.post(
    "/notices/receipts/{receipt_id}/confirm",
    response=ReceiptDetailOut,
    openapi_extra=scoped_route(NoticeReceipt),
)
def receipt_confirm(request: HttpRequest, receipt_id: int):
    """阅知确认: the liaison confirms its own enterprise's receipt (an officer records the
    liaison's word on the phone). Confirming again changes nothing; another enterprise's
    receipt is a 404."""
    receipt = _receipt(request, receipt_id)
    services.receipt_confirm(acting_user=request.auth, receipt=receipt)
    return _receipt_out(receipt)


@router.post(
    "/notices/receipts/{receipt_id}/escalate",
    response=ReceiptDetailOut,
    openapi_extra=scoped_route(NoticeReceipt),
)
def receipt_escalate(request: HttpRequest, receipt_id: int):
    """An officer escalates an unconfirmed receipt one step of the ladder now (inbox → SMS
    → phone-call task). A confirmed receipt, a replaced notice or the last step: a 422."""
    receipt = _receipt(request, receipt_id, "change")
    services.receipt_escalate(acting_user=request.auth, receipt=receipt)
    return _receipt_out(receipt)
