"""Notices for tests and the project's walks (merged into ``factories.py``'s registries by
`register`)."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from outpost.enterprises.notices.choices import EscalationLevel
from outpost.enterprises.notices.models import Notice, NoticeAttachment, NoticeReceipt
from outpost.enterprises.tests.factories import EnterpriseFactory

_numbers = itertools.count(1)


def _author() -> User:
    return User.objects.create_user(username=f"notice-author-{next(_numbers)}")


def notice_make(*, unit, enterprises=(), title: str = "", author=None, **fields) -> Notice:
    """A pushed notice made at `unit` with one receipt per enterprise, built directly (the
    service's checks are tested on their own)."""
    now = timezone.now()
    number = next(_numbers)
    notice = Notice.objects.create(
        unit=unit,
        title=title or f"{unit.name}防疫通知第{number}号",
        body="各企业：请落实员工健康监测。",
        source_authority="市防控指挥部",
        pushed_at=fields.pop("pushed_at", now),
        deadline=fields.pop("deadline", now + datetime.timedelta(days=1)),
        created_by=author or _author(),
        **fields,
    )
    for enterprise in enterprises:
        NoticeReceipt.objects.create(notice=notice, enterprise=enterprise)
    return notice


def receipt_make(grid, **fields) -> NoticeReceipt:
    enterprise = EnterpriseFactory(unit=grid)
    notice = notice_make(unit=grid)
    return NoticeReceipt.objects.create(notice=notice, enterprise=enterprise, **fields)


def notice_in(grid) -> Notice:
    return notice_make(unit=grid, enterprises=[EnterpriseFactory(unit=grid)])


def attachment_in(grid) -> NoticeAttachment:
    attachment = NoticeAttachment(notice=notice_in(grid), original_name="防控方案.txt", size=12)
    attachment.file.save("notice-attachment.txt", ContentFile("防控方案全文".encode()), save=False)
    attachment.save()
    return attachment


def call_due_in(grid) -> NoticeReceipt:
    """A receipt at the ladder's last step: a call waiting for an officer."""
    return receipt_make(
        grid,
        escalation_level=EscalationLevel.CALL,
        escalated_at=timezone.now(),
        call_officer=_author(),
    )


def notice_over(unit, grid_a, grid_b):
    """A notice made at `unit` for an enterprise in each grid: (notice, text of A's
    receipt, text of B's)."""
    own, other = EnterpriseFactory(unit=grid_a), EnterpriseFactory(unit=grid_b)
    return notice_make(unit=unit, enterprises=[own, other]), own.name, other.name


SCOPED_FACTORIES = {
    Notice: notice_in,
    NoticeReceipt: receipt_make,
    NoticeAttachment: attachment_in,
}
ROUTE_FACTORIES = {
    "enterprise_notices:call": call_due_in,
    "enterprise_notices:calls": call_due_in,
}
SPANNING_FACTORIES = {Notice: notice_over}
WRITE_PAYLOADS = {
    "POST /api/v1/enterprises/notices/receipts/{receipt_id}/confirm": lambda receipt: {},
    "POST /api/v1/enterprises/notices/receipts/{receipt_id}/escalate": lambda receipt: {},
}


def register(namespace: dict) -> None:
    """Add the notices' entries to the registries of the module `namespace` belongs to."""
    for name in ("SCOPED_FACTORIES", "ROUTE_FACTORIES", "SPANNING_FACTORIES", "WRITE_PAYLOADS"):
        namespace.setdefault(name, {}).update(globals()[name])
