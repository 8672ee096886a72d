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


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
