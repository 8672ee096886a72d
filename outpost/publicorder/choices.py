"""Choices of the public-order module (社会面管控)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClosureState(models.TextChoices):
    """Where a venue stands in a closure campaign (停业劝导), in the order it moves."""

    TO_VISIT = "to_visit", _("To visit")  # 待走访
    PERSUADED = "persuaded", _("Persuaded")  # 已劝导
    CLOSED = "closed", _("Closed")  # 已停业
    INSPECTED = "inspected", _("Inspected closed")  # 复查在停
    REOPENED = "reopened", _("Allowed to reopen")  # 准予复业


# Each state's next one; a venue moves one step at a time.
NEXT_STATE = {
    ClosureState.TO_VISIT: ClosureState.PERSUADED,
    ClosureState.PERSUADED: ClosureState.CLOSED,
    ClosureState.CLOSED: ClosureState.INSPECTED,
    ClosureState.INSPECTED: ClosureState.REOPENED,
}
# The date field each state's arrival is recorded in.
STATE_DATE_FIELD = {
    ClosureState.PERSUADED: "persuaded_on",
    ClosureState.CLOSED: "closed_on",
    ClosureState.INSPECTED: "inspected_on",
    ClosureState.REOPENED: "reopened_on",
}


class InspectionStatus(models.TextChoices):
    DUE = "due", _("Due")  # 待检查 (a follow-up)
    DONE = "done", _("Done")  # 已检查


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")  # 拟举办
    CANCELLED = "cancelled", _("Cancelled")  # 已取消


class CheckpointKind(models.TextChoices):
    ROAD = "road", _("Key road section")  # 重点路段
    STATION = "station", _("Station")  # 车站
    SQUARE = "square", _("Square")  # 广场
    HOSPITAL = "hospital", _("Hospital")  # 医院
    OTHER = "other", _("Other")  # 其他


class PatrolStatus(models.TextChoices):
    OPEN = "open", _("Under way")  # 巡逻中
    FINISHED = "finished", pgettext_lazy("patrol", "Finished")  # 已结束
    SKIPPED = "skipped", _("Skipped")  # 未巡逻


class PatrolException(models.TextChoices):
    """Why a patrol is on its leader's to-do list (巡逻异常)."""

    NONE = "", _("None")
    LATE = "late", _("Late")  # 迟到
    SKIPPED = "skipped", _("Skipped")  # 漏巡
    INCOMPLETE = "incomplete", _("Below its completion threshold")  # 完成率不足


class IncidentCategory(models.TextChoices):
    """The 110 system's incident categories (警情类别)."""

    CRIMINAL = "criminal", _("Criminal")  # 刑事
    PUBLIC_ORDER = "public_order", _("Public order")  # 治安
    TRAFFIC = "traffic", _("Traffic")  # 交通
    OTHER = "other", _("Other")  # 其他
