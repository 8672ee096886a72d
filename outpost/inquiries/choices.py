"""Choices of the questions and answers (网上答疑)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Where a question came in (来源渠道)."""

    PUBLIC_PAGE = "page", _("public page")
    PHONE = "phone", _("phone")
    CHAT_GROUP = "chat", _("chat group")
    WALK_IN = "walkin", _("walk-in")


# The channels a staff member logs by hand (the public page files its own).
STAFF_CHANNELS = [
    (Channel.PHONE.value, Channel.PHONE.label),
    (Channel.CHAT_GROUP.value, Channel.CHAT_GROUP.label),
    (Channel.WALK_IN.value, Channel.WALK_IN.label),
    (Channel.PUBLIC_PAGE.value, Channel.PUBLIC_PAGE.label),
]


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("to answer")
    HANDED_OFF = "handed_off", _("handed to another department")
    ANSWERED = "answered", _("answered")
    DUPLICATE = "duplicate", _("duplicate")


class FaqStatus(models.TextChoices):
    PENDING = "pending", _("awaiting review")
    PUBLISHED = "published", _("published")
    STALE = "stale", _("stale: its notice was replaced")
    REJECTED = "rejected", _("rejected")


class FaqCategory(models.TextChoices):
    """What an FAQ entry is about (问题分类)."""

    ISOLATION = "isolation", _("isolation and observation")
    TRAVEL = "travel", _("travel and arrivals")
    TESTING = "testing", _("testing and health")
    SUPPLIES = "supplies", _("supplies and daily life")
    WORK = "work", _("work and enterprises")
    PASSES = "passes", _("passes and access")
    OTHER = "other", _("other")
