from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyPersonCategory(models.TextChoices):
    """Why a person is a key person (重点人员类别)."""

    RISK_REGION_ARRIVAL = "risk_region_arrival", _("Arrival from a risk region")  # 风险地区来连
    CLOSE_CONTACT = "close_contact", _("Close contact")  # 密切接触者
    DISPATCHED = "dispatched", _("Dispatched list")  # 上级推送名单
    SELF_REPORTED = "self_reported", _("Self-reported")  # 主动申报
    OTHER = "other", _("Other")  # 其他


class SourceType(models.TextChoices):
    """Where a key person came from (来源)."""

    SCREENING = "screening", _("Screening run")  # 大数据比对
    DISPATCH_ORDER = "dispatch_order", _("Dispatch order")  # 调度指令
    VISIT = "visit", _("Door-to-door visit")  # 入户排查
    MANUAL = "manual", _("Entered by hand")  # 手工登记


class KeyPersonStatus(models.TextChoices):
    """Where a key person stands (管控状态): identified → under management → closed."""

    IDENTIFIED = "identified", _("Identified")  # 已发现
    UNDER_MANAGEMENT = "under_management", _("Under management")  # 管控中
    RELEASED = "released", _("Released")  # 解除管控
    TRANSFERRED = "transferred", _("Transferred")  # 移交
    MOVED_AWAY = "moved_away", _("Moved away")  # 离连


ACTIVE_STATUSES = (KeyPersonStatus.IDENTIFIED, KeyPersonStatus.UNDER_MANAGEMENT)
CLOSED_STATUSES = (
    KeyPersonStatus.RELEASED,
    KeyPersonStatus.TRANSFERRED,
    KeyPersonStatus.MOVED_AWAY,
)

# The lifecycle: which status may follow which. A closed key person stays closed; if the
# person becomes a key person again, that is a new record (the old one keeps its history).
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    KeyPersonStatus.IDENTIFIED: (KeyPersonStatus.UNDER_MANAGEMENT, *CLOSED_STATUSES),
    KeyPersonStatus.UNDER_MANAGEMENT: CLOSED_STATUSES,
    KeyPersonStatus.RELEASED: (),
    KeyPersonStatus.TRANSFERRED: (),
    KeyPersonStatus.MOVED_AWAY: (),
}


class MemberStatus(models.TextChoices):
    """Where a four-on-one team member stands (包保人员状态)."""

    PROPOSED = "proposed", _("Proposed")  # 系统建议
    CONFIRMED = "confirmed", _("Confirmed")  # 已确认


class ContactChannel(models.TextChoices):
    """How a key person was contacted (联系方式)."""

    PHONE = "phone", _("Phone call")  # 电话
    SMS = "sms", _("SMS")  # 短信
    DOOR_VISIT = "door_visit", _("Door visit")  # 上门
    VIDEO = "video", _("Video call")  # 视频


class ContactOutcome(models.TextChoices):
    """What came of a contact (联系结果)."""

    REACHED = "reached", _("Reached")  # 已联系上
    NOT_REACHED = "not_reached", _("Not reached")  # 未联系上
    REFUSED = "refused", _("Refused")  # 拒绝配合
    OTHER = "other", _("Other")  # 其他
