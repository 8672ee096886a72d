from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    """What an enterprise does (行业)."""

    MANUFACTURING = "manufacturing", _("Manufacturing")  # 制造业
    FOOD = "food", _("Food production and processing")  # 食品生产加工
    MEDICAL = "medical", _("Medical supplies")  # 医疗物资
    RETAIL = "retail", _("Retail and supermarkets")  # 商超零售
    LOGISTICS = "logistics", _("Logistics and transport")  # 物流运输
    CONSTRUCTION = "construction", _("Construction")  # 建筑施工
    CATERING = "catering", _("Catering and hotels")  # 餐饮住宿
    SERVICES = "services", _("Services")  # 服务业
    OTHER = "other", _("Other")  # 其他


class EnterpriseStatus(models.TextChoices):
    """Whether an enterprise works (经营状态): open, resumed after the stop, suspended."""

    OPEN = "open", _("Open")  # 正常经营
    RESUMED = "resumed", _("Resumed work")  # 已复工复产
    SUSPENDED = "suspended", _("Suspended")  # 停工停业
