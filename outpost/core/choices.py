from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    """Levels of the jurisdiction tree, from the top down."""

    BRANCH = "branch", _("Branch bureau")  # 分局
    STATION = "station", _("Police station")  # 派出所
    POLICE_OFFICE = "police_office", _("Community police office")  # 社区警务室
    COMMUNITY = "community", _("Community")  # 社区
    GRID = "grid", _("Grid")  # 网格


UNIT_KIND_ORDER = [kind.value for kind in UnitKind]


class OrganisationKind(models.TextChoices):
    """Partner organisations that work with the station."""

    HEALTH_COMMISSION = "health_commission", _("Health commission")  # 卫健委
    SUBDISTRICT = "subdistrict", _("Subdistrict office")  # 街道
    HEALTH_CENTRE = "health_centre", _("Community health centre")  # 社区卫生服务中心
    ENTERPRISE = "enterprise", _("Enterprise")  # 企业
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    """Staff roles; each one is a Django group carrying its permissions."""

    STATION_LEADER = "station_leader", _("Station leader")  # 所领导
    POLICE_OFFICER = "police_officer", _("Community police officer")  # 社区民警
    AUXILIARY_POLICE = "auxiliary_police", _("Auxiliary police")  # 辅警
    COMMUNITY_CADRE = "community_cadre", _("Community cadre")  # 社区干部
    GRID_WORKER = "grid_worker", _("Grid worker")  # 网格员
    MEDICAL_STAFF = "medical_staff", _("Medical staff")  # 医护
    ANALYST = "analyst", _("Analyst (read-only)")  # 研判分析
    ENTERPRISE_LIAISON = "enterprise_liaison", _("Enterprise liaison")  # 企业联络员
    ADMINISTRATOR = "administrator", _("Administrator")  # 系统管理员


class AccessAction(models.TextChoices):
    """What was done with personal data, for the access log."""

    REVEAL = "reveal", _("Reveal")
    EXPORT = "export", _("Export")
    TOKEN_USE = "token", _("API token use")


class AccessPurpose(models.TextChoices):
    """Why personal data was revealed or exported (查看·导出目的): one fixed list for the
    access log, offered as presets so that staff need not type; "other" asks for the
    purpose in words. `REVEAL_PURPOSES` and `EXPORT_PURPOSES` say which presets each
    dialog offers; add a preset here and to the tuple of the dialogs it belongs to."""

    VERIFY_IDENTITY = "verify_identity", _("Verify identity")  # 核查身份
    PHONE_CONTACT = "phone_contact", _("Phone contact")  # 电话联系
    DISPATCH = "dispatch", _("Dispatch from above")  # 上级调度
    REPORT_UP = "report_up", _("Report to a higher level")  # 上报上级
    WORK_LEDGER = "work_ledger", _("Work ledger")  # 工作台账
    CROSS_CHECK = "cross_check", _("Check and compare")  # 核查比对
    SUBJECT_REQUEST = "subject_request", _("The person's own request")  # 本人请求
    OTHER = "other", _("Other")  # 其他


# Kept for the code that names the reveal presets by their old name.
RevealPurpose = AccessPurpose

# The presets each dialog offers, "other" last.
REVEAL_PURPOSES = (
    AccessPurpose.VERIFY_IDENTITY,
    AccessPurpose.PHONE_CONTACT,
    AccessPurpose.DISPATCH,
    AccessPurpose.OTHER,
)
EXPORT_PURPOSES = (
    AccessPurpose.REPORT_UP,
    AccessPurpose.WORK_LEDGER,
    AccessPurpose.CROSS_CHECK,
    AccessPurpose.DISPATCH,
    AccessPurpose.OTHER,
)
# What the export path logs: the forms' presets, and the person's own request, which only
# the "what we hold about this person" document is for (it is never offered on a form).
LOGGED_EXPORT_PURPOSES = (*EXPORT_PURPOSES, AccessPurpose.SUBJECT_REQUEST)


class ImportStatus(models.TextChoices):
    """Where a spreadsheet import stands (导入状态)."""

    READING = "reading", _("Reading the file")  # 读取文件中
    UPLOADED = "uploaded", _("Uploaded, columns to map")  # 已上传
    VALIDATING = "validating", _("Checking rows")  # 校验中
    VALIDATED = "validated", _("Checked, ready to import")  # 校验完成
    IMPORTING = "importing", _("Importing")  # 导入中
    DONE = "done", _("Imported")  # 已导入
    FAILED = "failed", _("Failed")  # 失败
    CANCELLED = "cancelled", _("Cancelled")  # 已取消


class AccountAction(models.TextChoices):
    """What was done to a login, for the account log (账号操作记录)."""

    CREATED = "created", _("Account created")  # 新建账号
    PASSWORD_CHANGED = "password_changed", _("Password changed by the user")  # 本人修改密码
    PASSWORD_RESET = "password_reset", _("Password reset by an administrator")  # 管理员重置密码
    PASSWORD_RESET_BY_EMAIL = "password_reset_email", _("Password reset by email")  # 邮件重置密码
    DEACTIVATED = "deactivated", _("Account deactivated")  # 停用
    REACTIVATED = "reactivated", _("Account reactivated")  # 启用
    ROLES_CHANGED = "roles_changed", _("Roles changed")  # 角色变更
    UNIT_CHANGED = "unit_changed", _("Unit changed")  # 单位变更
    LOCKOUT_CLEARED = "lockout_cleared", _("Lockout cleared")  # 解除锁定
    LOCKOUT_ALERT = "lockout_alert", _("Many failed log-ins")  # 多次登录失败告警


class RetentionAction(models.TextChoices):
    """What happens to a record when its retention period ends (到期处理)."""

    DELETE = "delete", _("Delete")  # 删除
    ANONYMISE = "anonymise", _("Anonymise")  # 匿名化
