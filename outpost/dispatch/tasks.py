"""Background work of dispatch orders (django-tasks on the database queue).

`uploads.order_upload` queues `order_process_task` (read, match, route, notify); the order page
polls its progress. The feedback workbook is an export like any other (`exports.py`,
written by `core.exports.tasks.export_task`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from outpost.core.scoping import get_visible
from outpost.dispatch import services
from outpost.dispatch.models import DispatchOrder


@task()
def order_process_task(*, order_id: int, user_id: int, language: str = "") -> dict:
    """Read, match and route the items of an uploaded order."""
    user = get_user_model().objects.get(pk=user_id)
    order = get_visible(DispatchOrder, user, order_id)
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            order = services.order_process(acting_user=user, order=order)
        except Exception:
            services.logger.exception("order %s could not be processed", order.pk)
            services.order_fail(
                order=order,
                acting_user=user,
                message=_(
                    "Reading the order stopped because of an unexpected error; no item was "
                    "kept. The administrator can find the details in the log."
                ),
            )
            raise
    return {"status": order.status, "items": order.total_items}
