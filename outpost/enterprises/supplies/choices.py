import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestKind(models.TextChoices):
    """What an enterprise asks the station for (诉求类别)."""

    SUPPLIES = "supplies", _("Protective supplies")  # 防疫物资
    STAFF_RETURN = "staff_return", _("Staff return")  # 员工返岗
    GREEN_CHANNEL = "green_channel", _("Permits and green channel")  # 通行证·绿色通道
    DORMITORY = "dormitory", _("Dormitory rooms")  # 宿舍
    OTHER = "other", _("Other request")  # 其他诉求


# How long the station has to answer a request of each kind (办理时限), from its filing.
REQUEST_DEADLINES = {
    RequestKind.SUPPLIES: datetime.timedelta(hours=48),
    RequestKind.STAFF_RETURN: datetime.timedelta(hours=72),
    RequestKind.GREEN_CHANNEL: datetime.timedelta(hours=24),
    RequestKind.DORMITORY: datetime.timedelta(hours=72),
    RequestKind.OTHER: datetime.timedelta(hours=120),
}


class RequestStatus(models.TextChoices):
    """Where a request stands: filed and waiting for an officer, with an officer, closed
    by the officer with an outcome, confirmed by the enterprise."""

    OPEN = "open", pgettext_lazy("request", "Waiting for an officer")  # 待受理
    ASSIGNED = "assigned", pgettext_lazy("request", "In hand")  # 办理中
    CLOSED = "closed", pgettext_lazy("request", "Answered")  # 已办结
    CONFIRMED = "confirmed", pgettext_lazy("request", "Confirmed by the enterprise")  # 已确认


# Requests the station still owes an answer.
PENDING_STATUSES = (RequestStatus.OPEN, RequestStatus.ASSIGNED)


class RequestOutcome(models.TextChoices):
    """How the officer closed a request (办结结果)."""

    RESOLVED = "resolved", _("Resolved")  # 已解决
    PARTLY = "partly", _("Partly resolved")  # 部分解决
    REFERRED = "referred", _("Referred to another authority")  # 转交其他部门
    DECLINED = "declined", _("Cannot be met")  # 无法解决


class StepKind(models.TextChoices):
    """One line of a request's handling record (办理记录)."""

    FILED = "filed", _("Filed")  # 提交
    ASSIGNED = "assigned", _("Assigned")  # 分派
    STEP = "step", _("Step taken")  # 办理
    DELIVERED = "delivered", _("Supplies delivered")  # 物资发放
    CLOSED = "closed", pgettext_lazy("request step", "Answered")  # 办结
    CONFIRMED = "confirmed", _("Confirmed")  # 企业确认
    REOPENED = "reopened", _("Reopened")  # 企业退回


class DonorKind(models.TextChoices):
    """Who gave (捐赠方类型)."""

    ENTERPRISE = "enterprise", _("Enterprise")  # 企业
    PERSON = "person", _("Person")  # 个人


class Direction(models.TextChoices):
    """A ledger line's movement: into the store (a donation) or out (a distribution)."""

    IN = "in", pgettext_lazy("stock movement", "In")  # 入库
    OUT = "out", pgettext_lazy("stock movement", "Out")  # 出库
