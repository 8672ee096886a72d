from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    """Where the import of an order stands (指令导入状态)."""

    QUEUED = "queued", _("Waiting to be read")  # 等待读取
    READING = "reading", _("Reading and matching")  # 读取比对中
    READY = "ready", _("Ready")  # 已下发
    FAILED = "failed", _("Failed")  # 失败


class MatchStatus(models.TextChoices):
    """How an order item was matched to a resident (比对状态)."""

    AUTO = "auto", _("Matched")  # 自动比中
    REVIEW = "review", _("To review")  # 待人工确认
    DECIDED = "decided", _("Confirmed by hand")  # 人工确认
    UNMATCHED = "unmatched", _("Not matched")  # 未比中


LINKED = (MatchStatus.AUTO, MatchStatus.DECIDED)


class ItemResult(models.TextChoices):
    """What the officer found on the ground (落地核查结果)."""

    FOUND_MANAGED = "found_managed", _("Found and under management")  # 已落地，已管控
    FOUND_NOT_KEY = "found_not_key", _("Found, not a key person")  # 已落地，非重点人员
    MOVED_AWAY = "moved_away", _("Moved away")  # 已离开（去向）
    NOT_FOUND = "not_found", _("Not found")  # 查无此人
    ALREADY_HANDLED = "already_handled", _("Already handled")  # 此前已处置
