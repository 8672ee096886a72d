from django.db import models
from django.utils.translation import gettext_lazy as _

from outpost.core import on_duty


class PostKind(models.TextChoices):
    """Kinds of duty post (勤务岗位)."""

    ISOLATION_SITE = on_duty.ISOLATION_SITE, _("Isolation site")  # 隔离点驻点
    PLATFORM_WATCH = (
        on_duty.PLATFORM_WATCH,
        _("Enterprise platform 24-hour watch"),
    )  # 企业平台24小时值守
    PATROL = on_duty.PATROL, _("Patrol")  # 巡逻
    DUTY_DESK = on_duty.DUTY_DESK, _("Duty desk")  # 值班台
    PIONEER = on_duty.PIONEER, _("Party-member pioneer post")  # 党员先锋岗


class RosterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿
    PUBLISHED = "published", _("Published")  # 已发布


class SwapStatus(models.TextChoices):
    ASKED = "asked", _("Asked")  # 已申请
    ACCEPTED = "accepted", _("Accepted, waiting for a leader")  # 已同意待审批
    APPROVED = "approved", _("Approved")  # 已批准
    DECLINED = "declined", _("Declined")  # 已拒绝


class LeaveStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")  # 已准假
    REFUSED = "refused", _("Refused: leave frozen")  # 冻结期内不予准假
    EXCEPTION = "exception", _("Granted as an exception")  # 特批


class ViolationKind(models.TextChoices):
    """The roster's rules (排班规则)."""

    UNDERSTAFFED = "understaffed", _("Too few staff")  # 人数不足
    REST = "rest", _("Too little rest")  # 休息不足
    OVERLAP = "overlap", _("Overlapping shifts")  # 班次重叠
    PAIR = "pair", _("Pair both off")  # 搭档同时不在岗
    PARTY = "party", _("Not a party member")  # 非党员
    QUALIFIED = "qualified", _("Not qualified for the post")  # 不具备岗位资格
    LEAVE = "leave", _("On leave")  # 休假冲突
