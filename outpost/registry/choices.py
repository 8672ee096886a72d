from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")  # 男
    FEMALE = "F", _("Female")  # 女
    UNKNOWN = "U", _("Unknown")  # 未知


class ResidenceType(models.TextChoices):
    """How a person lives in the district (人口类型)."""

    PERMANENT = "permanent", _("Permanent resident")  # 常住
    TEMPORARY = "temporary", _("Temporary resident")  # 暂住
    FLOATING = "floating", _("Floating population")  # 流动


class DocumentType(models.TextChoices):
    """Identity document (证件类型); the resident ID is the common case."""

    RESIDENT_ID = "resident_id", _("Resident ID card")  # 居民身份证
    PASSPORT = "passport", _("Passport")  # 护照
    HK_MACAO_PERMIT = "hk_macao_permit", _("Hong Kong/Macao travel permit")  # 港澳通行证
    TAIWAN_PERMIT = "taiwan_permit", _("Taiwan travel permit")  # 台胞证
    FOREIGNER_RESIDENCE = "foreigner_residence", _("Foreigner's residence permit")
    NONE = "none", _("No document")  # 无证件（如婴幼儿）


class RelationToHead(models.TextChoices):
    """Relation to the head of household (与户主关系)."""

    HEAD = "head", _("Head of household")  # 户主
    SPOUSE = "spouse", _("Spouse")  # 配偶
    CHILD = "child", _("Child")  # 子女
    PARENT = "parent", _("Parent")  # 父母
    GRANDCHILD = "grandchild", _("Grandchild")  # 孙辈
    TENANT = "tenant", _("Tenant")  # 租户
    OTHER = "other", _("Other")  # 其他


class VisitOutcome(models.TextChoices):
    """How a door-to-door visit ended (入户结果)."""

    COMPLETED = "completed", _("Visited")  # 已入户
    NOBODY_HOME = "nobody_home", _("Nobody home")  # 无人在家
    REFUSED = "refused", _("Refused")  # 拒绝配合
    VACANT = "vacant", _("Vacant")  # 空置房


class MemberPresence(models.TextChoices):
    """A household member at the visit, against the registry."""

    PRESENT = "present", _("At home")  # 在家
    AWAY = "away", _("Away, still lives here")  # 外出
    DEPARTED = "departed", _("Moved out")  # 已迁出
    NEW = "new", _("New member")  # 新增人员


class Transport(models.TextChoices):
    """How a person travelled back (返回方式)."""

    TRAIN = "train", _("Train")  # 火车
    PLANE = "plane", _("Plane")  # 飞机
    CAR = "car", _("Own car")  # 自驾
    BUS = "bus", _("Coach")  # 大巴
    SHIP = "ship", _("Ship")  # 轮船
    OTHER = "other", _("Other")  # 其他


class HealthStatus(models.TextChoices):
    """Declared health at the visit (健康状况)."""

    HEALTHY = "healthy", _("Healthy")  # 健康
    FEVER = "fever", _("Fever")  # 发热
    RESPIRATORY = "respiratory", _("Cough or other respiratory symptoms")  # 咳嗽等呼吸道症状
    OTHER = "other", _("Other symptoms")  # 其他症状
