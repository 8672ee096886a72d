"""Uploading a dispatch order (调度指令): the one write of dispatch that queues the worker.

It lives beside `services.py` rather than in it: `order_process_task` runs the services
(read, match, route), and the upload enqueues that task, so in one module the two would
import each other.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.imports.uploads import upload_kept, upload_name, upload_size_check
from outpost.core.imports.workbook import MAX_FILE_BYTES
from outpost.core.models import Unit
from outpost.core.scoping import assert_in_scope
from outpost.dispatch.choices import OrderStatus
from outpost.dispatch.models import DispatchOrder
from outpost.dispatch.tasks import order_process_task

logger = logging.getLogger("outpost.dispatch")


def order_upload(
    *,
    acting_user,
    unit: Unit,
    order_number: str,
    issuing_body: str,
    title: str,
    deadline: datetime.datetime,
    file,
    received_at: datetime.datetime | None = None,
    original_name: str = "",
) -> DispatchOrder:
    """Keep an order workbook and queue the reading, matching and routing of its items.

    The request never opens the file: the worker (`order_process`) reads it, and a file
    that cannot be read, names no identity column or has no data row fails the order with
    the reason, shown on its page. A deadline already past is accepted: the order page
    warns about it.
    """
    if not acting_user.has_perm("dispatch.add_dispatchorder"):
        raise PermissionDenied(_("Your role may not import dispatch orders."))
    if not Unit.objects.visible_to(acting_user).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("The receiving unit is outside your jurisdiction."))
    original_name = upload_name(file, original_name, default="order")
    upload_size_check(file, max_bytes=MAX_FILE_BYTES)
    order = DispatchOrder(
        unit=unit,
        order_number=order_number.strip(),
        issuing_body=issuing_body.strip(),
        title=title.strip(),
        received_at=received_at or timezone.now(),
        deadline=deadline,
        original_name=original_name,
        created_by=acting_user,
        status=OrderStatus.QUEUED,
    )
    with upload_kept(order, file, original_name):
        order.full_clean()
        with transaction.atomic():
            save_audited(order, acting_user=acting_user)
            assert_in_scope(order, acting_user, "view")
            language = translation.get_language() or ""
            transaction.on_commit(lambda: _enqueue(order, acting_user, language))
    logger.info("order %s uploaded by %s: %s", order.pk, acting_user, original_name)
    return order


def _enqueue(order: DispatchOrder, acting_user, language: str) -> None:
    order_process_task.enqueue(order_id=order.pk, user_id=acting_user.pk, language=language)
