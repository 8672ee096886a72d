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
    QUEUED = "queued", _("waiting to be read")
    PARSING = "parsing", _("being read")
    PARSED = "parsed", _("parsed")
    PARSED_WITH_ERRORS = "parsed_with_errors", _("parsed with errors")
    FAILED = "failed", _("failed")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class LinkStatus(models.TextChoices):
    """How a feed row came to be linked to a resident (the engine's statuses)."""

    AUTO = "auto", _("matched automatically")
    DECIDED = "decided", _("accepted by a user")
    REVIEW = "review", _("to be reviewed")
