"""Background work of notify: delivering outbound messages (django-tasks, `outpost db_worker`)."""

from django_tasks import task

from outpost.notify.delivery import outbound_deliver
from outpost.notify.models import OutboundMessage


@task()
def outbound_deliver_task(*, message_id: int) -> str:
    message = outbound_deliver(message=OutboundMessage.objects.get(pk=message_id))
    return message.status
