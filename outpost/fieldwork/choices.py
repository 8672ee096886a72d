from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionKind(models.TextChoices):
    """What a phone recorded offline (离线记录类型)."""

    VISIT = "visit", _("Door-to-door visit")  # 入户走访
    CONTACT = "contact", _("Contact with a key person")  # 联系登记
    CHECK_IN = "check_in", _("Check-in")  # 体温登记


class SubmissionFlag(models.TextChoices):
    """Why an officer should look at a record sent late (需民警关注)."""

    NONE = "", _("None")
    CLOSED_KEY_PERSON = "closed_key_person", _("Contact logged after the person was closed")
    LATER_ACCOUNT_KEPT = "later_account_kept", _("Earlier account; a later one stays current")
