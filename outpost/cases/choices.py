from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseKind(models.TextChoices):
    """What a case is about (案件类别)."""

    UNLICENSED_BUSINESS = "unlicensed_business", _("Unlicensed special trade")  # 无证经营特种行业
    COUNTERFEIT_GOODS = "counterfeit_goods", _("Fake or substandard goods")  # 制售假冒伪劣产品
    PRICE_GOUGING = "price_gouging", _("Price gouging")  # 哄抬物价
    OBSTRUCTING_PREVENTION = "obstructing", _("Obstructing epidemic prevention")  # 妨害疫情防控
    PUBLIC_ORDER = "public_order", _("Disturbing public order")  # 扰乱公共秩序
    OTHER = "other", _("Other case")  # 其他


class CaseState(models.TextChoices):
    """Where a case stands (案件状态)."""

    REGISTERED = "registered", pgettext_lazy("case", "Registered")  # 已受案
    INVESTIGATING = "investigating", pgettext_lazy("case", "Investigating")  # 调查中
    DECIDED = "decided", pgettext_lazy("case", "Decided")  # 已决定
    EXECUTING = "executing", pgettext_lazy("case", "Executing")  # 执行中
    CLOSED = "closed", pgettext_lazy("case", "Closed")  # 已结案


# The moves a case may make: forward one step, and closing a case that ends without a
# decision (not established, transferred) from investigation.
CASE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseState.REGISTERED: (CaseState.INVESTIGATING,),
    CaseState.INVESTIGATING: (CaseState.DECIDED, CaseState.CLOSED),
    CaseState.DECIDED: (CaseState.EXECUTING, CaseState.CLOSED),
    CaseState.EXECUTING: (CaseState.CLOSED,),
    CaseState.CLOSED: (),
}
OPEN_STATES = (
    CaseState.REGISTERED,
    CaseState.INVESTIGATING,
    CaseState.DECIDED,
    CaseState.EXECUTING,
)


class PartyKind(models.TextChoices):
    PERSON = "person", pgettext_lazy("party", "Person")  # 自然人
    ORGANISATION = "organisation", pgettext_lazy("party", "Organisation")  # 单位


class MeasureKind(models.TextChoices):
    """Measures taken in a case (处理措施)."""

    DETENTION = "detention", _("Administrative detention")  # 行政拘留
    FINE = "fine", _("Fine")  # 罚款
    WARNING = "warning", _("Warning")  # 警告
    TRANSFER = "transfer", _("Transfer to another department")  # 移送
    CRIMINAL = "criminal", _("Criminal measure")  # 刑事强制措施


class UnitOfMeasure(models.TextChoices):
    """Units of measure of seized goods (计量单位)."""

    BARREL = "barrel", pgettext_lazy("measure", "barrel")  # 桶
    KILOGRAM = "kg", pgettext_lazy("measure", "kg")  # 公斤
    PIECE = "piece", pgettext_lazy("measure", "piece")  # 件
    BOX = "box", pgettext_lazy("measure", "box")  # 箱
    BOTTLE = "bottle", pgettext_lazy("measure", "bottle")  # 瓶
    LITRE = "litre", pgettext_lazy("measure", "litre")  # 升
    SET = "set", pgettext_lazy("measure", "set")  # 台


class ItemState(models.TextChoices):
    """Where a seized item stands in its custody chain (扣押物品状态)."""

    SEIZED = "seized", pgettext_lazy("seized item", "Seized")  # 已扣押
    STORED = "stored", pgettext_lazy("seized item", "Stored")  # 已入库
    TRANSFERRED = "transferred", pgettext_lazy("seized item", "Transferred")  # 已移交
    RETURNED = "returned", pgettext_lazy("seized item", "Returned")  # 已发还
    DESTROYED = "destroyed", pgettext_lazy("seized item", "Destroyed")  # 已销毁


class MoveKind(models.TextChoices):
    """A step of the custody chain (保管流转): each is one append-only record."""

    SEIZE = "seize", pgettext_lazy("custody", "Seizure")  # 扣押
    STORE = "store", pgettext_lazy("custody", "Into storage")  # 入库保管
    TRANSFER = "transfer", pgettext_lazy("custody", "Handover")  # 移交
    RETURN = "return", pgettext_lazy("custody", "Return to the owner")  # 发还
    DESTROY = "destroy", pgettext_lazy("custody", "Destruction")  # 销毁


MOVE_RESULT = {
    MoveKind.SEIZE: ItemState.SEIZED,
    MoveKind.STORE: ItemState.STORED,
    MoveKind.TRANSFER: ItemState.TRANSFERRED,
    MoveKind.RETURN: ItemState.RETURNED,
    MoveKind.DESTROY: ItemState.DESTROYED,
}
# Disposal ends the chain and needs a second officer's approval.
DISPOSALS = (MoveKind.RETURN, MoveKind.DESTROY)
FINAL_STATES = (ItemState.RETURNED, ItemState.DESTROYED)


class DisposalStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("disposal", "Waiting for approval")  # 待审批
    APPROVED = "approved", pgettext_lazy("disposal", "Approved and done")  # 已批准
    REFUSED = "refused", pgettext_lazy("disposal", "Refused")  # 未批准
