from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from outpost.keypersons.choices import KeyPersonStatus


class EpisodeKind(models.TextChoices):
    """Where and how a key person is observed (观察方式)."""

    CENTRALIZED = "centralized", _("Centralized isolation")  # 集中隔离
    HOME_ISOLATION = "home_isolation", _("Home isolation")  # 居家隔离
    HOME_MONITORING = "home_monitoring", _("Home health monitoring")  # 居家健康监测


class EpisodeStatus(models.TextChoices):
    """Where an episode stands: active → release due (reached its planned end, waiting for
    someone to confirm the release) → ended."""

    ACTIVE = "active", _("Under observation")  # 观察中
    RELEASE_DUE = "release_due", _("Due for release")  # 待解除
    ENDED = "ended", _("Ended")  # 已结束


OPEN_EPISODE_STATUSES = (EpisodeStatus.ACTIVE, EpisodeStatus.RELEASE_DUE)


class EndReason(models.TextChoices):
    """Why an episode ended (结束原因)."""

    COMPLETED = "completed", _("Observation completed")  # 期满解除
    HOSPITAL = "hospital", _("Transferred to hospital")  # 转送医院
    MOVED = "moved", _("Moved")  # 转移
    OTHER = "other", _("Other")  # 其他


# What becomes of the key person when an observation ends, unless the user chooses: a
# completed observation releases them from control; one who went to hospital, or whose
# observation ended for another reason, stays under management (the team follows them up
# and decides); one moved elsewhere is handed over (transferred) to the place that takes
# them.
KEY_PERSON_STATUS_AFTER = {
    EndReason.COMPLETED: KeyPersonStatus.RELEASED,
    EndReason.HOSPITAL: KeyPersonStatus.UNDER_MANAGEMENT,
    EndReason.MOVED: KeyPersonStatus.TRANSFERRED,
    EndReason.OTHER: KeyPersonStatus.UNDER_MANAGEMENT,
}
# The states a key person may be left in when their observation ends.
KEY_PERSON_STATUSES_AFTER = (
    KeyPersonStatus.UNDER_MANAGEMENT,
    KeyPersonStatus.RELEASED,
    KeyPersonStatus.TRANSFERRED,
    KeyPersonStatus.MOVED_AWAY,
)


class RoomStatus(models.TextChoices):
    """A room's state on the occupancy board (房态). Occupied is not stored: a room is
    occupied while it has a stay without a check-out."""

    FREE = "free", _("Free")  # 空闲
    CLEANING = "cleaning", _("Cleaning")  # 消杀保洁
    OUT_OF_SERVICE = "out_of_service", _("Out of service")  # 停用


class SiteStaffRole(models.TextChoices):
    """What a person on duty at an isolation site does (驻点岗位)."""

    MEDICAL = "medical", _("Medical staff")  # 医护
    OFFICER = "officer", _("Officer on duty")  # 驻点民警
    MANAGER = "manager", _("Site manager")  # 负责人


class Symptom(models.TextChoices):
    """Symptoms asked at every check-in (症状)."""

    FEVER = "fever", _("Fever")  # 发热
    COUGH = "cough", _("Cough")  # 咳嗽
    SORE_THROAT = "sore_throat", _("Sore throat")  # 咽痛
    FATIGUE = "fatigue", _("Fatigue")  # 乏力
    DIARRHOEA = "diarrhoea", _("Diarrhoea")  # 腹泻
    SHORTNESS_OF_BREATH = "shortness_of_breath", _("Shortness of breath")  # 呼吸困难
    OTHER = "other", _("Other")  # 其他


class CheckInSource(models.TextChoices):
    """Who entered a check-in (上报方式)."""

    STAFF = "staff", _("Entered by staff")  # 工作人员录入
    SELF_REPORT = "self_report", _("Self-reported")  # 本人上报


class AlertKind(models.TextChoices):
    """Why an alert was raised (预警类型); a fever alert outranks a missed check-in."""

    FEVER = "fever", _("Fever or red-flag symptom")  # 发热预警
    MISSED_CHECK_IN = "missed_check_in", _("Missed check-in")  # 漏报


class AlertStatus(models.TextChoices):
    """open → acknowledged → resolved (预警状态)."""

    # "Open" alone is already "查看" (open a page) in the catalog.
    OPEN = "open", pgettext_lazy("alert status", "Open")  # 待处置
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")  # 已接收
    RESOLVED = "resolved", _("Resolved")  # 已处置


UNRESOLVED_ALERT_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class AlertOutcome(models.TextChoices):
    """How an alert was resolved (处置结果)."""

    FEVER_CLINIC = "fever_clinic", _("Transferred to a fever clinic")  # 转送发热门诊
    RETEST_NORMAL = "retest_normal", _("Retest normal")  # 复测正常
    FALSE_READING = "false_reading", _("False reading")  # 误报
    REPORTED_LATE = "reported_late", _("Reported late")  # 已补报
    REACHED = "reached", _("Reached, well")  # 已联系，情况正常


FEVER_OUTCOMES = (AlertOutcome.FEVER_CLINIC, AlertOutcome.RETEST_NORMAL, AlertOutcome.FALSE_READING)
MISSED_OUTCOMES = (AlertOutcome.REPORTED_LATE, AlertOutcome.REACHED, AlertOutcome.FEVER_CLINIC)
