from django.db import models
from django.utils.translation import gettext_lazy as _


class EscalationLevel(models.IntegerChoices):
    """How far an unconfirmed receipt has been escalated (催办): the ladder's steps, in
    order. A receipt starts at NONE; the scheduled job (or an officer) moves it one step at a
    time."""

    NONE = 0, _("Not escalated")  # 未催办
    INBOX = 1, _("Inbox reminder to the liaison")  # 站内提醒
    SMS = 2, _("SMS to the liaison")  # 短信提醒
    CALL = 3, _("Phone call by the officer")  # 民警电话催办


class EscalationStep(models.TextChoices):
    """One logged step of a receipt's escalation (催办记录)."""

    INBOX = "inbox", _("Inbox reminder sent")  # 已站内提醒
    SMS = "sms", _("SMS sent")  # 已发短信
    SMS_UNAVAILABLE = "sms_unavailable", _("SMS not sent")  # 未能发送短信
    CALL_TASK = "call_task", _("Phone-call task given")  # 已派电话催办
    CALL_MADE = "call_made", _("Phone call made")  # 已电话催办


class ConfirmedVia(models.TextChoices):
    """How a receipt was confirmed: by the liaison online, or by an officer on the
    liaison's word on the phone."""

    LIAISON = "liaison", _("By the liaison")  # 联络员确认
    PHONE = "phone", _("By phone, recorded by an officer")  # 电话确认（民警代录）
