from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    """What the person asks for (PIPL Art. 44–47)."""

    KNOW = "know", _("To know")  # 查阅 / 知情
    COPY = "copy", _("To copy")  # 复制
    CORRECT = "correct", _("To correct")  # 更正
    DELETE = "delete", _("To delete")  # 删除


class RequestChannel(models.TextChoices):
    """How the request reached the station."""

    COUNTER = "counter", _("At the counter")  # 窗口
    PHONE = "phone", _("By phone")  # 电话
    LETTER = "letter", _("By letter")  # 信函
    GRID_WORKER = "grid_worker", _("Passed on by a grid worker")  # 网格员转交
    ONLINE = "online", _("Online")  # 网上
    OTHER = "other", _("Other")  # 其他


class IdentityCheck(models.TextChoices):
    """How the officer made sure the person asking is the person concerned."""

    ID_CARD = "id_card", _("ID card seen in person")  # 当面查验身份证
    ID_COPY = "id_copy", _("Copy of the ID card checked")  # 核对身份证复印件
    CALL_BACK = "call_back", _("Called back on the phone on record")  # 回拨登记电话核实
    KNOWN = "known", _("Known to the grid worker in person")  # 网格员当面确认
    OTHER = "other", _("Other (described)")  # 其他


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")  # 办理中
    ANSWERED = "answered", _("Answered")  # 已答复
    REFUSED = "refused", _("Refused with reason")  # 不予办理（附理由）


class KeepBasis(models.TextChoices):
    """Why the law requires keeping data a person asked to delete (PIPL Art. 47)."""

    OPEN_CASE = "open_case", _("An open case needs it")  # 案件尚未办结
    EPIDEMIC_LAW = (
        "epidemic_law",
        _("The period of the Law on the Prevention and Control of Infectious Diseases"),
    )  # 传染病防治法规定的保存期限
    OTHER_LAW = "other_law", _("Another law or regulation")  # 其他法律法规


# A request is due this many calendar days after it was received (China time).
DUE_DAYS = 15
# An open request due within this many days is amber on the to-do list.
DUE_SOON_DAYS = 3
