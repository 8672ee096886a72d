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


class DiscrepancyKind(models.TextChoices):
    """What the door-to-door visit declared against the feed (出行信息不一致的情形)."""

    NO_TRAVEL = "no_travel", _("declared no travel")  # 申报未外出
    OTHER_ORIGIN = "other_origin", _("declared another origin")  # 申报来源地不同


class DiscrepancyStatus(models.TextChoices):
    """Where the verification of a discrepancy stands (核实结果)."""

    OPEN = "open", _("to be verified")  # 待核实
    CONCEALED = "concealed", _("verified: travelled and concealed it")  # 核实：隐瞒行程
    FEED_WRONG = "feed_wrong", _("verified: did not travel (feed wrong)")  # 核实：未外出
    NOT_THE_PERSON = "not_the_person", _("verified: the feed names someone else")  # 核实：非本人
    DECLARATION_CORRECTED = "corrected", _("verified: declared by mistake, corrected")  # 核实：误报
