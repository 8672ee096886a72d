"""Public order (社会面管控): venues and their closure campaigns, inspections with a
checklist per kind of venue, large events and their cancellation, patrol routes with
checkpoints and the patrols that check in at them, and the 110 system's daily incident
counts.

Venue kinds and their checklists are reference data (rows, with an English name beside
the Chinese one), configured in the admin; everything else belongs to a unit and is read
through `visible_to(user)`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.crypto.fields import BlindIndexField, EncryptedCharField
from outpost.core.identity import mask_phone
from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel
from outpost.publicorder.choices import (
    CheckpointKind,
    ClosureState,
    EventStatus,
    IncidentCategory,
    InspectionStatus,
    PatrolException,
    PatrolStatus,
)

USER = settings.AUTH_USER_MODEL


class _Bilingual:
    """A reference row named in Chinese (`name`) and English (`name_en`)."""

    @property
    def label(self) -> str:
        english = (get_language() or "").startswith("en")
        return (self.name_en if english and self.name_en else self.name) or self.name


class VenueKind(_Bilingual, models.Model):
    """A kind of venue (场所类别): sports venue, bath and massage, hotel, KTV and internet
    café, arcade, and whatever else a deployment adds. Reference data, not personal."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("venue kind")
        verbose_name_plural = _("venue kinds")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label


class ChecklistItem(_Bilingual, models.Model):
    """One check of a kind's inspection checklist (检查项), e.g. "doors sealed". Retired
    items are kept (inactive) for the inspections that recorded them."""

    kind = models.ForeignKey(
        VenueKind, verbose_name=_("venue kind"), on_delete=models.PROTECT, related_name="checks"
    )
    name = models.CharField(_("check"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["kind", "order", "pk"]

    def __str__(self) -> str:
        return self.label


class Venue(ScopedModel):
    """A venue of the jurisdiction (场所): its kind, licence number, address, the unit it
    lies in and its responsible person (name and phone; the phone encrypted, shown
    masked). Never deleted: a venue that is gone is made inactive."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="venues"
    )
    kind = models.ForeignKey(
        VenueKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="venues"
    )
    name = models.CharField(_("name"), max_length=200)
    licence_number = models.CharField(_("licence number"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=60, blank=True)
    responsible_phone = EncryptedCharField(
        _("responsible person's phone"), max_length=20, blank=True
    )
    responsible_phone_index = BlindIndexField(source="responsible_phone", normaliser="phone")
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["kind__order", "name", "pk"]
        indexes = [models.Index(fields=["unit", "kind"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publicorder:venue_detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.responsible_phone)


class ClosureCampaign(ScopedModel):
    """A closure campaign (停业劝导专项行动): the venues it covers and where each one stands.
    Made at a unit (usually the station) for the units below it: a community's officer
    sees it with the community's venues only."""

    scope_spans_levels = True

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    started_on = models.DateField(_("started"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("closure campaign")
        verbose_name_plural = _("closure campaigns")
        ordering = ["-started_on", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publicorder:campaign_detail", args=[self.pk])


class ClosureEntry(ScopedModel):
    """One venue in a closure campaign and its state (to visit → persuaded → closed →
    inspected closed → allowed to reopen), with the day each state was reached and the
    officer who recorded the last change; every change is in its history."""

    scope_unit_field = "venue__unit"

    campaign = models.ForeignKey(
        ClosureCampaign, verbose_name=_("campaign"), on_delete=models.PROTECT,
        related_name="entries",
    )  # fmt: skip
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="closures"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ClosureState.choices, default=ClosureState.TO_VISIT
    )
    persuaded_on = models.DateField(_("persuaded on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    reopened_on = models.DateField(_("allowed to reopen on"), null=True, blank=True)
    officer = models.ForeignKey(
        USER, verbose_name=_("officer"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("venue in a closure campaign")
        verbose_name_plural = _("venues in closure campaigns")
        ordering = ["campaign", "venue__kind__order", "venue__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "venue"], name="closure_entry_once")
        ]
        indexes = [models.Index(fields=["campaign", "state"])]

    def __str__(self) -> str:
        return f"{self.venue.name}: {self.get_state_display()}"

    def get_absolute_url(self) -> str:
        return reverse("publicorder:closure_advance", args=[self.pk])


class Inspection(ScopedModel):
    """An inspection of a venue (检查) against its kind's checklist, with notes and photos;
    or a follow-up (复查) due by a day, for the one item an earlier inspection failed,
    on its officer's to-do list until done."""

    scope_unit_field = "venue__unit"

    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="inspections"
    )
    officer = models.ForeignKey(
        USER, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.DONE
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    inspected_at = models.DateTimeField(_("inspected"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    follow_up_of = models.ForeignKey(
        "self", verbose_name=_("follow-up of"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="follow_ups",
    )  # fmt: skip
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("check to follow up"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["officer", "status", "due_on"])]

    def __str__(self) -> str:
        return _("Inspection %(number)d of %(venue)s") % {"number": self.pk, "venue": self.venue}

    def get_absolute_url(self) -> str:
        return reverse("publicorder:inspection_detail", args=[self.pk])


class InspectionResult(ScopedModel):
    """One checklist item's result in an inspection: passed or failed, with a note."""

    scope_unit_field = "inspection__venue__unit"

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="results"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("check"), on_delete=models.PROTECT, related_name="+"
    )
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["inspection", "item__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="inspection_item_once")
        ]


class InspectionPhoto(ScopedModel):
    """A photo taken at an inspection, kept through Django's storage; its EXIF location is
    removed on upload unless the deployment keeps it (`OUTPOST_PHOTO_KEEP_LOCATION`)."""

    scope_unit_field = "inspection__venue__unit"

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="photos"
    )
    image = models.FileField(_("photo"), upload_to="publicorder/photos/%Y/%m/")
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["inspection", "pk"]

    def __str__(self) -> str:
        return _("Photo %(number)d") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("publicorder:photo", args=[self.pk])


class LargeEvent(ScopedModel):
    """A planned large event (大型活动) of the jurisdiction, its organiser and, once it is
    called off, the day of its cancellation and the officer who confirmed it."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    planned_on = models.DateField(_("planned for"))
    expected_attendance = models.PositiveIntegerField(
        _("expected attendance"), null=True, blank=True
    )
    organiser = models.CharField(_("organiser"), max_length=200)
    organiser_contact = models.CharField(_("organiser's contact person"), max_length=60, blank=True)
    organiser_phone = EncryptedCharField(_("organiser's phone"), max_length=20, blank=True)
    organiser_phone_index = BlindIndexField(source="organiser_phone", normaliser="phone")
    status = models.CharField(
        _("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        USER, verbose_name=_("cancellation confirmed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("large event")
        verbose_name_plural = _("large events")
        ordering = ["planned_on", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publicorder:event_detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.organiser_phone)


class PatrolRoute(ScopedModel):
    """A patrol route (巡逻路线) of a unit: its checkpoints in order, the window a patrol
    should start in, the share of checkpoints a patrol must reach (完成率) and the leader
    whose to-do list shows a patrol late, skipped or short of it."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    leader = models.ForeignKey(
        USER, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.TimeField(_("start by"))
    completion_threshold = models.PositiveSmallIntegerField(
        _("completion threshold (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patrol route")
        verbose_name_plural = _("patrol routes")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publicorder:route_detail", args=[self.pk])


class Checkpoint(ScopedModel):
    """A checkpoint of a route (巡逻点位): a key road section, a station, a square, a
    hospital. Its QR code is signed and changes every China day (`checkpoint_codes`)."""

    scope_unit_field = "route__unit"

    route = models.ForeignKey(
        PatrolRoute, verbose_name=_("route"), on_delete=models.PROTECT, related_name="checkpoints"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=CheckpointKind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["route", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class Patrol(ScopedModel):
    """One patrol of a route on a day (巡逻) by an officer, checked in at its checkpoints;
    or a day the route was not patrolled (skipped, written by the nightly sweep). A patrol
    late, skipped or short of its route's threshold is an exception on the leader's to-do
    list until someone acknowledges it."""

    scope_unit_field = "route__unit"

    route = models.ForeignKey(
        PatrolRoute, verbose_name=_("route"), on_delete=models.PROTECT, related_name="patrols"
    )
    day = models.DateField(_("day"))
    officer = models.ForeignKey(
        USER, verbose_name=_("officer"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=PatrolStatus.choices, default=PatrolStatus.OPEN
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    checkpoints_total = models.PositiveSmallIntegerField(_("checkpoints"), default=0)
    checked_in = models.PositiveSmallIntegerField(_("checked in"), default=0)
    exception = models.CharField(
        _("exception"), max_length=12, choices=PatrolException.choices, blank=True, default=""
    )
    acknowledged_by = models.ForeignKey(
        USER, verbose_name=_("acknowledged by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledgement = models.CharField(_("acknowledgement note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-day", "route__name", "pk"]
        indexes = [
            models.Index(fields=["day", "route"]),
            models.Index(fields=["exception", "acknowledged_at"]),
        ]

    def __str__(self) -> str:
        return _("%(route)s on %(day)s") % {"route": self.route.name, "day": self.day}

    def get_absolute_url(self) -> str:
        return reverse("publicorder:patrol_detail", args=[self.pk])

    @property
    def completion(self) -> int:
        """The share of the route's checkpoints reached, in per cent."""
        if not self.checkpoints_total:
            return 0
        return round(100 * self.checked_in / self.checkpoints_total)


class PatrolCheckIn(ScopedModel):
    """A patrol's check-in at one checkpoint (打卡), by scanning the checkpoint's code of
    the day; once per checkpoint and patrol."""

    scope_unit_field = "patrol__route__unit"

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.PROTECT, related_name="check_ins"
    )
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name=_("checkpoint"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("checked in"))
    by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patrol check-in")
        verbose_name_plural = _("patrol check-ins")
        ordering = ["patrol", "at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["patrol", "checkpoint"], name="check_in_once")
        ]


class IncidentCount(ScopedModel):
    """The 110 system's count of incidents (警情) of one category at a unit on a day, as
    imported from its daily export; one row per unit, day and category."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    category = models.CharField(_("category"), max_length=14, choices=IncidentCategory.choices)
    count = models.PositiveIntegerField(_("incidents"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incident count")
        verbose_name_plural = _("incident counts")
        ordering = ["-day", "unit", "category"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "day", "category"], name="incident_count_once")
        ]
        indexes = [models.Index(fields=["day", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.day:%Y-%m-%d} {self.get_category_display()}"
