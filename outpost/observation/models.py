"""Medical observation and isolation (隔离观察): episodes, isolation sites and rooms, check-ins,
self-report links, fever alerts and the site daily report.

Every row about a person is scoped by the key person's unit (``unit`` is copied from the key
person when the episode starts). Sites and rooms are scoped by the site's unit.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from outpost.core.crypto.fields import (
    EncryptedCharField,
    EncryptedDecimalField,
    EncryptedJSONField,
)
from outpost.core.models import Unit
from outpost.core.prepared import PreparedGet
from outpost.core.scoping import ScopedModel
from outpost.keypersons.choices import KeyPersonCategory
from outpost.observation.choices import (
    OPEN_EPISODE_STATUSES,
    AlertKind,
    AlertOutcome,
    AlertStatus,
    CheckInSource,
    EndReason,
    EpisodeKind,
    EpisodeStatus,
    RoomStatus,
    SiteStaffRole,
    Symptom,
)

# The plausible range of a body temperature taken by a thermometer (°C): outside it the
# reading is a typo or a broken thermometer, never a fact to act on.
TEMPERATURE_MIN = 34.0
TEMPERATURE_MAX = 43.0


class ObservationPolicy(models.Model):
    """The station's observation rules (观察规则): one row, edited by an administrator.

    Read with `ObservationPolicy.current()`; the defaults are DESIGN's (37.3 °C, twice a day).
    """

    fever_threshold = models.DecimalField(
        _("fever threshold (°C)"), max_digits=3, decimal_places=1, default=37.3
    )
    red_flag_symptoms = models.JSONField(
        _("symptoms that raise a fever alert"),
        default=list,
        blank=True,
        help_text=_("Codes of symptoms that raise an alert whatever the temperature."),
    )
    check_in_times = models.JSONField(
        _("default check-in times"),
        default=list,
        help_text=_('Local times of day, e.g. ["08:00", "18:00"].'),
    )
    missed_after_minutes = models.PositiveSmallIntegerField(
        _("a check-in is missed this many minutes after its time"), default=120
    )
    remind_after_minutes = models.PositiveSmallIntegerField(
        _("remind this many minutes after the check-in time"), default=30
    )
    escalate_after_minutes = models.PositiveSmallIntegerField(
        _("escalate an unacknowledged alert after (minutes)"), default=30
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("observation policy")
        verbose_name_plural = _("observation policy")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "ObservationPolicy":
        # Every self-report reads it (the morning burst): compiled once.
        policy = _POLICY_READ.get(1)
        if policy is not None:
            return policy
        policy, _created = cls.objects.get_or_create(
            pk=1,
            defaults={
                "red_flag_symptoms": [Symptom.FEVER, Symptom.SHORTNESS_OF_BREATH],
                "check_in_times": ["08:00", "18:00"],
            },
        )
        return policy


_POLICY_READ = PreparedGet(ObservationPolicy, "pk", int)


class ObservationPlan(models.Model):
    """How long an episode of a kind lasts (观察期限), for one key-person category or, with
    the category blank, for every category that has no row of its own."""

    category = models.CharField(
        _("key person category"),
        max_length=30,
        choices=KeyPersonCategory.choices,
        blank=True,
        help_text=_("Blank: every category without a plan of its own."),
    )
    kind = models.CharField(_("observation kind"), max_length=20, choices=EpisodeKind.choices)
    days = models.PositiveSmallIntegerField(
        _("days"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("observation plan")
        verbose_name_plural = _("observation plans")
        ordering = ["category", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "kind"], name="observation_one_plan_per_category_and_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.days}"


class IsolationSite(ScopedModel):
    """A centralized isolation site (集中隔离点), e.g. a hotel the station staffs."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="isolation_sites"
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("isolation site")
        verbose_name_plural = _("isolation sites")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("observation:site_detail", args=[self.pk])


class Room(ScopedModel):
    """A room of an isolation site (房间); single occupancy unless its capacity says more."""

    scope_unit_field = "site__unit"

    site = models.ForeignKey(
        IsolationSite, verbose_name=_("site"), on_delete=models.PROTECT, related_name="rooms"
    )
    floor = models.CharField(_("floor"), max_length=10)
    number = models.CharField(_("room number"), max_length=20)
    status = models.CharField(
        _("room state"), max_length=20, choices=RoomStatus.choices, default=RoomStatus.FREE
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["site", "floor", "number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="observation_room_number")
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.number}"


class SiteStaff(ScopedModel):
    """A person on duty at a site (驻点人员): medical staff receive its fever alerts."""

    scope_unit_field = "site__unit"

    site = models.ForeignKey(
        IsolationSite, verbose_name=_("site"), on_delete=models.PROTECT, related_name="staff"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="isolation_duties",
    )
    role = models.CharField(_("duty"), max_length=20, choices=SiteStaffRole.choices)
    on_duty_from = models.DateField(_("on duty from"))
    on_duty_until = models.DateField(_("on duty until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site staff")
        verbose_name_plural = _("site staff")
        ordering = ["site", "role"]

    def __str__(self) -> str:
        return f"{self.site} {self.get_role_display()}"


class Episode(ScopedModel):
    """An observation episode (观察期) of a key person: centralized isolation, home isolation
    or home health monitoring, from `start_date` to `planned_end_date` (extensions move it).

    Episodes chain (centralized → home monitoring) through `previous`. A key person has at
    most one open episode. Never deleted: an episode ends with a reason.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="episodes"
    )
    key_person = models.ForeignKey(
        "keypersons.KeyPerson",
        verbose_name=_("key person"),
        on_delete=models.PROTECT,
        related_name="episodes",
    )
    kind = models.CharField(_("observation kind"), max_length=20, choices=EpisodeKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE
    )
    site = models.ForeignKey(
        IsolationSite,
        verbose_name=_("isolation site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="episodes",
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous episode"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_episodes",
    )
    start_date = models.DateField(_("start date"))
    planned_end_date = models.DateField(_("planned end date"))
    check_in_times = models.JSONField(_("check-in times"), default=list)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )
    end_note = EncryptedCharField(_("note on the end"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("observation episode")
        verbose_name_plural = _("observation episodes")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key_person"],
                condition=Q(status__in=OPEN_EPISODE_STATUSES),
                name="observation_one_open_episode_per_key_person",
                violation_error_message=_("This key person is already under observation."),
            ),
            models.CheckConstraint(
                condition=Q(planned_end_date__gte=F("start_date")),
                name="observation_episode_ends_after_it_starts",
                violation_error_message=_("The planned end cannot be before the start."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=OPEN_EPISODE_STATUSES)
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="observation_episode_ended_with_reason",
                violation_error_message=_("Ending an episode needs a reason."),
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["site", "status"])]

    def __str__(self) -> str:
        return f"{self.key_person} {self.get_kind_display()} {self.start_date}"

    def get_absolute_url(self) -> str:
        return reverse("observation:episode_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_EPISODE_STATUSES

    def day_number(self, day: datetime.date) -> int:
        """Day 1 is the start date."""
        return (day - self.start_date).days + 1


class EpisodeExtension(ScopedModel):
    """An extension of an episode's planned end (延长观察), with its reason."""

    scope_unit_field = "episode__unit"

    episode = models.ForeignKey(
        Episode, verbose_name=_("episode"), on_delete=models.PROTECT, related_name="extensions"
    )
    previous_end_date = models.DateField(_("previous planned end"))
    new_end_date = models.DateField(_("new planned end"))
    reason = models.CharField(_("reason"), max_length=300)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("extended by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    extended_at = models.DateTimeField(_("extended"), auto_now_add=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["extended_at"]

    def __str__(self) -> str:
        return f"{self.episode} → {self.new_end_date}"


class RoomStay(ScopedModel):
    """A person's stay in a room (入住记录): checked in, then checked out or moved. The
    database refuses a second open stay in a room, and a second open stay of an episode."""

    scope_unit_field = "episode__unit"

    episode = models.ForeignKey(
        Episode, verbose_name=_("episode"), on_delete=models.PROTECT, related_name="stays"
    )
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="stays"
    )
    checked_in_at = models.DateTimeField(_("checked in"))
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked out by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("room stay")
        verbose_name_plural = _("room stays")
        ordering = ["-checked_in_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["room"],
                condition=Q(checked_out_at__isnull=True),
                name="observation_one_person_per_room",
                violation_error_message=_("This room is already occupied."),
            ),
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(checked_out_at__isnull=True),
                name="observation_one_room_per_episode",
                violation_error_message=_("This person already has a room."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room} {timezone.localtime(self.checked_in_at):%Y-%m-%d}"


class CheckIn(ScopedModel):
    """A temperature and symptom check (体温上报), by staff or by the person through their
    self-report link."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="check_ins"
    )
    episode = models.ForeignKey(
        Episode, verbose_name=_("episode"), on_delete=models.PROTECT, related_name="check_ins"
    )
    taken_at = models.DateTimeField(_("taken at"))
    temperature = EncryptedDecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(TEMPERATURE_MIN), MaxValueValidator(TEMPERATURE_MAX)],
    )
    symptoms = EncryptedJSONField(_("symptoms"), default=list, blank=True)
    note = EncryptedCharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("entered"), max_length=20, choices=CheckInSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The one-time number of the self-report form that sent it: a replayed form finds its
    # check-in already stored instead of storing a second one.
    form_nonce = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["episode", "taken_at"])]

    def __str__(self) -> str:
        return f"{self.episode_id} {timezone.localtime(self.taken_at):%Y-%m-%d %H:%M} {self.temperature}"


class SelfReportLink(ScopedModel):
    """A private self-report link of an episode (自主上报链接). Only a hash of the token is
    stored: the link exists in the message that carried it and nowhere else."""

    scope_unit_field = "episode__unit"

    episode = models.ForeignKey(
        Episode, verbose_name=_("episode"), on_delete=models.PROTECT, related_name="links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.CharField(_("sent to"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    # The episode's planned end when the link was issued; whether it still works is read
    # from the episode (an extension keeps it working), see `services.links.link_resolve`.
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Revoked because a newer link was issued (the person is told to use that one), rather
    # than stopped by staff (a lost phone, a forwarded link).
    replaced = models.BooleanField(_("replaced by a newer link"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("self-report link")
        verbose_name_plural = _("self-report links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.episode_id} {timezone.localtime(self.created_at):%Y-%m-%d}"


class Alert(ScopedModel):
    """A fever or missed-check-in alert (预警): raised at once, acknowledged, then resolved
    with an outcome; escalated to the station leader when nobody acknowledges it in time."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="alerts"
    )
    episode = models.ForeignKey(
        Episode, verbose_name=_("episode"), on_delete=models.PROTECT, related_name="alerts"
    )
    kind = models.CharField(_("alert type"), max_length=20, choices=AlertKind.choices)
    check_in = models.ForeignKey(
        CheckIn,
        verbose_name=_("check-in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    # For a missed check-in: the scheduled time that was missed (one alert per slot).
    slot_at = models.DateTimeField(_("check-in due at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    raised_at = models.DateTimeField(_("raised"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(
        pgettext_lazy("alert", "outcome"), max_length=20, choices=AlertOutcome.choices, blank=True
    )
    transfer_place = models.CharField(_("transferred to"), max_length=100, blank=True)
    transferred_at = models.DateTimeField(_("transferred at"), null=True, blank=True)
    note = EncryptedCharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "slot_at"],
                condition=Q(kind=AlertKind.MISSED_CHECK_IN),
                name="observation_one_missed_alert_per_slot",
            ),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.RESOLVED) | ~Q(outcome=""),
                name="observation_alert_resolved_with_outcome",
                violation_error_message=_("Resolving an alert needs an outcome."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome=AlertOutcome.FEVER_CLINIC)
                | (~Q(transfer_place="") & Q(transferred_at__isnull=False)),
                name="observation_transfer_has_place_and_time",
                violation_error_message=_("A transfer needs the place and the time."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["unit", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.raised_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("observation:alert_detail", args=[self.pk])


class SiteDailyReport(ScopedModel):
    """A site's figures for one day (每日信息通报), frozen when the day closes: a closed
    day's report never changes, whatever is corrected later."""

    scope_unit_field = "site__unit"

    site = models.ForeignKey(
        IsolationSite,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="daily_reports",
    )
    day = models.DateField(_("day"))
    figures = models.JSONField(_("figures"))
    closed_at = models.DateTimeField(_("closed"))

    class Meta:
        verbose_name = _("site daily report")
        verbose_name_plural = _("site daily reports")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["site", "day"], name="observation_one_report_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.day}"


class ReminderSent(ScopedModel):
    """A reminder to report (上报提醒) sent to the person for one scheduled check-in: the
    reminder job sends at most one per slot, however often it runs."""

    scope_unit_field = "episode__unit"

    episode = models.ForeignKey(
        Episode, verbose_name=_("episode"), on_delete=models.PROTECT, related_name="reminders"
    )
    slot_at = models.DateTimeField(_("check-in due at"))
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-slot_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "slot_at"], name="observation_one_reminder_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.episode_id} {timezone.localtime(self.slot_at):%Y-%m-%d %H:%M}"
