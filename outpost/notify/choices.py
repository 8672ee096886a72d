from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    ASSIGNMENT = "assignment", _("assignment")
    ORDER_ITEM = "order_item", _("dispatch order item")
    ALERT = "alert", _("alert")
    REMINDER = "reminder", _("reminder")
    OTHER = "other", _("other")


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("email")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
