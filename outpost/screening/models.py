"""Regions, risk designations and arrival feeds (大数据分析·比对)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.crypto.fields import BlindIndexField, EncryptedCharField
from outpost.core.i18n import data_name
from outpost.core.identity import mask_id_number, mask_phone
from outpost.core.scoping import ScopedModel
from outpost.core.validators import NOTE_MAX_LENGTH, validate_note
from outpost.screening.choices import (
    DiscrepancyKind,
    DiscrepancyStatus,
    FeedSourceType,
    FeedStatus,
    LinkStatus,
    RegionLevel,
    RiskLevel,
    RunStatus,
)


class Region(models.Model):
    """An administrative region of GB/T 2260 (行政区划): province, city or county.

    Public reference data loaded from ``screening/data/regions.csv``; not personal data.
    ``alias`` is the name without its suffix (武汉 for 武汉市).
    """

    code = models.CharField(_("code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=50)
    alias = models.CharField(_("short name"), max_length=50, blank=True, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class OriginCategory(models.Model):
    """A category of arrivals the station counts (来连人员类别), such as 武汉来连."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("origin category")
        verbose_name_plural = _("origin categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return data_name(self.name, self.name_en)


class RiskDesignation(models.Model):
    """A region's risk level over a date window and the origin category of arrivals from
    it (风险地区认定). A designation without a region covers every place that no other
    designation of the window names (湖北省以外其他地区)."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="designations",
        help_text=_("Leave empty for every region not designated otherwise."),
    )
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    category = models.ForeignKey(
        OriginCategory,
        verbose_name=_("origin category"),
        on_delete=models.PROTECT,
        related_name="designations",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk designation")
        verbose_name_plural = _("risk designations")
        ordering = ["-start_date", "region__code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="screening_designation_window",
            )
        ]

    def __str__(self) -> str:
        place = self.region.name if self.region_id else _("elsewhere")
        return f"{place} {self.start_date:%Y-%m-%d}–{self.end_date:%Y-%m-%d}"


class Feed(ScopedModel):
    """An uploaded list of travellers or arrivals (比对数据源): rail or flight passengers,
    arrival registrations, a telecom list. The raw file is kept whole."""

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="feeds"
    )
    source_type = models.CharField(_("source type"), max_length=20, choices=FeedSourceType.choices)
    file = models.FileField(_("file"), upload_to="feeds/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="feeds",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=FeedStatus.choices)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("screening:feed_detail", args=[self.pk])


class FeedRow(ScopedModel):
    """One row of a feed (数据源记录), as read and normalised; rows with problems are kept
    with their errors."""

    scope_unit_field = "feed__unit"

    feed = models.ForeignKey(
        Feed, verbose_name=_("feed"), on_delete=models.CASCADE, related_name="rows"
    )
    row_number = models.PositiveIntegerField(_("row"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    id_number = EncryptedCharField(_("ID number"), max_length=40, blank=True)
    id_number_index = BlindIndexField(source="id_number", normaliser="id_number", db_index=True)
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    phone_index = BlindIndexField(source="phone", normaliser="phone", db_index=True)
    origin = models.CharField(_("origin"), max_length=200, blank=True)
    origin_region_code = models.CharField(_("origin region code"), max_length=6, blank=True)
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    train_or_flight = models.CharField(_("train or flight"), max_length=30, blank=True)
    seat = models.CharField(_("seat"), max_length=30, blank=True)
    parse_errors = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        verbose_name = _("feed row")
        verbose_name_plural = _("feed rows")
        ordering = ["feed", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "row_number"], name="screening_feedrow_unique")
        ]

    def __str__(self) -> str:
        return f"{self.feed_id}:{self.row_number}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class ScreeningRun(ScopedModel):
    """A run of the matching engine over feeds and the residents of a unit (大数据比对批次)."""

    # Made at a station for the units below it: visible from every level it concerns.
    scope_spans_levels = True

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="screening_runs"
    )
    feeds = models.ManyToManyField(Feed, verbose_name=_("feeds"), related_name="runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="screening_runs",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    failure = models.TextField(_("failure"), blank=True)

    class Meta:
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="screening_run_progress_percent"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.unit} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
            if self.created_at
            else str(self.pk)
        )

    def get_absolute_url(self) -> str:
        return reverse("screening:run_detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


class MatchDecision(ScopedModel):
    """A user's decision on a feed identity (比对人工确认): accept the link to a resident, or
    reject one candidate (or, without a resident, every candidate). Remembered across runs:
    the engine receives them as ``decisions``. ``unit`` is the unit the decision was made in."""

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    identity_key = models.CharField(_("identity key"), max_length=32, db_index=True)
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_decisions",
    )
    rejected = models.BooleanField(_("rejected"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        verbose_name = _("match decision")
        verbose_name_plural = _("match decisions")
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rejected=True) | models.Q(resident__isnull=False),
                name="screening_decision_accepts_a_resident",
            )
        ]

    def __str__(self) -> str:
        return self.identity_key


class ScreeningResult(ScopedModel):
    """What a run found for one resident (比对结果): origin category, arrival date and the
    feed rows that say so. ``unit`` is the resident's unit, for scoping. Links that need a
    user's review are stored with status review, one per candidate resident."""

    run = models.ForeignKey(
        ScreeningRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="results"
    )
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="screening_results",
    )
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        OriginCategory,
        verbose_name=_("origin category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    rule = models.CharField(_("match rule"), max_length=30)
    score = models.PositiveSmallIntegerField(_("score"))
    status = models.CharField(_("status"), max_length=10, choices=LinkStatus.choices)
    identity_key = models.CharField(_("identity key"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("screening result")
        verbose_name_plural = _("screening results")
        ordering = ["unit__path", "resident__name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "resident"], name="screening_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.resident_id}"


class TravelDiscrepancy(ScopedModel):
    """Concealed travel to verify (出行信息不一致, 疑似隐瞒行程): a door-to-door visit declared
    no travel, or another origin, while a feed puts the resident in a designated risk region.
    Both sides are copied as they were when it was raised, so the record stays as seen.
    ``unit`` is the resident's unit, for scoping. One per resident and feed row: re-runs
    neither duplicate it nor reopen it."""

    run = models.ForeignKey(
        ScreeningRun,
        verbose_name=_("raised by run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discrepancies",
    )
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="travel_discrepancies",
    )
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("discrepancy"), max_length=20, choices=DiscrepancyKind.choices)
    # What the visit declared (入户申报).
    visit_member = models.ForeignKey(
        "registry.VisitMember",
        verbose_name=_("visit record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    declared_travelled = models.BooleanField(_("declared travel"), default=False)
    declared_origin = models.CharField(_("declared origin"), max_length=100, blank=True)
    declared_region_code = models.CharField(_("declared region code"), max_length=6, blank=True)
    declared_returned_on = models.DateField(_("declared date back"), null=True, blank=True)
    # What the feed says (比对数据).
    feed_row = models.ForeignKey(
        FeedRow,
        verbose_name=_("feed row"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    feed_name = models.CharField(_("feed"), max_length=255, blank=True)
    feed_row_number = models.PositiveIntegerField(_("row"), null=True, blank=True)
    feed_origin = models.CharField(_("origin"), max_length=200, blank=True)
    feed_region_code = models.CharField(_("origin region code"), max_length=6)
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    train_or_flight = models.CharField(_("train or flight"), max_length=30, blank=True)
    seat = models.CharField(_("seat"), max_length=30, blank=True)
    category = models.ForeignKey(
        OriginCategory,
        verbose_name=_("origin category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Verification (核实).
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DiscrepancyStatus.choices,
        default=DiscrepancyStatus.OPEN,
        db_index=True,
    )
    resolution_note = models.TextField(
        _("verification note"),
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH), validate_note],
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("concealed-travel discrepancy")
        verbose_name_plural = _("concealed-travel discrepancies")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "feed_row"], name="screening_discrepancy_once_per_row"
            ),
            models.CheckConstraint(
                condition=models.Q(status=DiscrepancyStatus.OPEN)
                | (~models.Q(resolution_note="") & models.Q(resolved_at__isnull=False)),
                name="screening_discrepancy_resolved_with_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.feed_name}:{self.feed_row_number}"

    def get_absolute_url(self) -> str:
        return reverse("screening:discrepancy_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == DiscrepancyStatus.OPEN
