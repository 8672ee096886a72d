from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class FeedSourceType(models.TextChoices):
    RAIL = "rail", _("rail passengers")
    FLIGHT = "flight", _("flight passengers")
    ARRIVALS = "arrivals", _("arrival registrations")
    TELECOM = "telecom", _("telecom list")
    OTHER = "other", _("other")


class FeedStatus(models.TextChoices):
    PARSED = "parsed", _("parsed")
    PARSED_WITH_ERRORS = "parsed_with_errors", _("parsed with errors")
    FAILED = "failed", _("failed")
