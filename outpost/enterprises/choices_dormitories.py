"""Choices of the idle-dormitory coordination (闲置宿舍协调)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OfferStatus(models.TextChoices):
    """Whether an enterprise's offer of idle rooms stands (房源状态)."""

    OPEN = "open", _("Offered")  # 可提供
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回


class DormitoryRequestStatus(models.TextChoices):
    """Where a request for a room stands (住宿申请状态)."""

    WAITING = "waiting", _("Waiting for a room")  # 待安排
    HOUSED = "housed", _("Room booked")  # 已安排
    ENDED = "ended", _("Stay ended")  # 已退宿
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 已撤回


REQUEST_CLOSED_STATUSES = (DormitoryRequestStatus.ENDED, DormitoryRequestStatus.WITHDRAWN)


class StayEnd(models.TextChoices):
    """How a stay ended (退宿方式): the guest left, or the booking was cancelled before the
    first night."""

    CHECKED_OUT = "checked_out", _("Checked out")  # 已退宿
    CANCELLED = "cancelled", _("Cancelled before arrival")  # 入住前取消
