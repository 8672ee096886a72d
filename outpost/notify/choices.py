from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    """What a message is about; a user chooses per kind whether it also comes by SMS."""

    CAMPAIGN = "campaign", _("screening campaign opened")
    ASSIGNMENT = "assignment", _("assignment")
    ORDER_ITEM = "order_item", _("dispatch order item")
    ALERT = "alert", _("alert")
    REVIEW = "review", _("review waiting")
    EXPORT = "export", _("export ready")
    IMPORT = "import", _("import finished")
    REMINDER = "reminder", _("reminder")
    OTHER = "other", _("other")


class Delivery(models.TextChoices):
    """How a user wants one kind of message (通知方式)."""

    INBOX = "inbox", _("Inbox only")
    INBOX_SMS = "inbox_sms", _("Inbox and SMS")


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("email")
    WECOM = "wecom", _("WeCom")


class DeliveryStatus(models.TextChoices):
    """Where an outbound message stands. queued → sending (claimed by one worker, the
    provider being called) → sent (the provider took it, its id kept) → delivered or
    failed (the provider's receipt). A retryable error puts it back to queued with a later
    attempt; `unknown`: a worker died while calling the provider, so whether it left is
    not known and it is not sent again (a receipt may still settle it)."""

    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    UNKNOWN = "unknown", _("outcome unknown")


# What the escalation ladder and the alerts count as having reached the person: the
# provider's receipt said so, or it took the message and no receipt said otherwise yet.
REACHED_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
# What will not reach them any more (the next step of a ladder should not wait for it).
NOT_REACHED_STATUSES = (DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN)
