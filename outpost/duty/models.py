"""Wartime duty (战时勤务): shift templates, posts, party membership for the pioneer post,
rosters and their shifts, swaps, leave freezes and leave.

A roster is staff data, not residents' data: it is made at a station (or an office) for
the people below it, so its rows span levels (DESIGN rule 7) — an officer of a community
sees the station's roster and posts. Party membership (政治面貌) is sensitive and seen only
by leaders and administrators.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel
from outpost.core.validators import validate_text
from outpost.duty.choices import LeaveStatus, PostKind, RosterStatus, SwapStatus

USER = settings.AUTH_USER_MODEL


def _person(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else user.get_username()


class ShiftTemplate(models.Model):
    """A shift template (班次模板): each day (or each working day) `shifts_per_day` shifts
    of `hours` hours from `start_time` China time. 24 h on / 48 h off is one 24-hour shift
    a day rotated over three people; 12 h day/night is two 12-hour shifts a day; office
    hours is one 9-hour shift on working days."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50, validators=[validate_text])
    start_time = models.TimeField(_("first shift starts"))
    hours = models.PositiveSmallIntegerField(
        _("hours per shift"), validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    shifts_per_day = models.PositiveSmallIntegerField(
        _("shifts per day"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    working_days_only = models.BooleanField(_("working days only"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shift template")
        verbose_name_plural = _("shift templates")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=1) & Q(hours__lte=24), name="duty_template_hours"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Post(ScopedModel):
    """A duty post (勤务岗位): an isolation site, the enterprise platform's watch, a patrol,
    the duty desk, or a party-member pioneer post (党员先锋岗) at a site. Staff holding one
    of `roles` whose unit lies under the post's unit may fill it."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_text])
    kind = models.CharField(_("post type"), max_length=20, choices=PostKind.choices)
    site = models.ForeignKey(
        "observation.IsolationSite",
        verbose_name=_("isolation site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    template = models.ForeignKey(
        ShiftTemplate,
        verbose_name=_("shift template"),
        on_delete=models.PROTECT,
        related_name="posts",
    )
    min_staff = models.PositiveSmallIntegerField(
        _("minimum staff per shift"), default=1, validators=[MinValueValidator(1)]
    )
    roles = models.JSONField(_("roles who may fill it"), default=list)
    party_members_only = models.BooleanField(_("party members only"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duty post")
        verbose_name_plural = _("duty posts")
        ordering = ["unit", "name"]

    def __str__(self) -> str:
        return self.name


class PairRule(ScopedModel):
    """Two people of a post who must not both be off (搭档): on each day the post runs, at
    least one of them is on duty there."""

    scope_unit_field = "post__unit"

    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="pairs"
    )
    first = models.ForeignKey(
        USER, verbose_name=_("first of the pair"), on_delete=models.PROTECT, related_name="+"
    )
    second = models.ForeignKey(
        USER, verbose_name=_("second of the pair"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pair rule")
        verbose_name_plural = _("pair rules")

    def __str__(self) -> str:
        return f"{self.post}: {self.first} / {self.second}"


class PartyMember(ScopedModel):
    """A staff member recorded as a party member (中共党员), collected only to fill the
    party-member pioneer posts (党员先锋岗)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.OneToOneField(
        USER,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="party_membership",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")

    def __str__(self) -> str:
        return _person(self.user)


class Roster(ScopedModel):
    """A roster (排班表) for a period at a unit: built from the posts' templates, checked
    against the rules, published by a leader (with a reason when rules are broken)."""

    scope_spans_levels = True

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=100, validators=[validate_text])
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    posts = models.ManyToManyField(Post, verbose_name=_("posts"), related_name="rosters")
    min_rest_hours = models.PositiveSmallIntegerField(
        _("minimum rest between shifts (hours)"), default=12, validators=[MaxValueValidator(72)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RosterStatus.choices, default=RosterStatus.DRAFT
    )
    override_reason = models.CharField(
        _("reason for publishing despite the rules"), max_length=300, blank=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("built by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["posts"])

    class Meta:
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")
        ordering = ["-starts_on", "-pk"]
        permissions = [("publish_roster", _("Can publish a roster and approve swaps"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="duty_roster_period"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("duty:roster_detail", args=[self.pk])


class Shift(ScopedModel):
    """One person's shift at a post (班次): from `starts_at` to `ends_at`; its unit is the
    person's, so a community sees its own people's shifts of the station's roster."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    roster = models.ForeignKey(
        Roster, verbose_name=_("roster"), on_delete=models.PROTECT, related_name="shifts"
    )
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="shifts"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="duty_shifts"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "post", "pk"]
        indexes = [
            models.Index(fields=["user", "starts_at"]),
            models.Index(fields=["post", "starts_at"]),
            models.Index(fields=["starts_at", "ends_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="duty_shift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.post} {_person(self.user)}"

    def get_absolute_url(self) -> str:
        return reverse("duty:roster_detail", args=[self.roster_id]) + f"#shift-{self.pk}"


class SwapRequest(ScopedModel):
    """A swap (换班): the holder of a shift asks another to take it; the other accepts; a
    leader approves (or a leader hands the shift over on someone's behalf)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    shift = models.ForeignKey(
        Shift, verbose_name=_("shift"), on_delete=models.PROTECT, related_name="swaps"
    )
    requested_by = models.ForeignKey(
        USER, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    taker = models.ForeignKey(
        USER, verbose_name=_("asked to take it"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SwapStatus.choices, default=SwapStatus.ASKED
    )
    asked_at = models.DateTimeField(_("asked"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("swap")
        verbose_name_plural = _("swaps")
        ordering = ["-asked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.shift}: {_person(self.requested_by)} → {_person(self.taker)}"


class LeaveFreeze(ScopedModel):
    """A leave freeze (停休令) declared by a leader for a period and units."""

    scope_spans_levels = True

    unit = models.ForeignKey(
        Unit, verbose_name=_("declared at"), on_delete=models.PROTECT, related_name="+"
    )
    units = models.ManyToManyField(Unit, verbose_name=_("units frozen"), related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=300, validators=[validate_text])
    declared_by = models.ForeignKey(
        USER, verbose_name=_("declared by"), on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared"))
    history = HistoricalRecords(excluded_fields=["units"])

    class Meta:
        verbose_name = _("leave freeze")
        verbose_name_plural = _("leave freezes")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="duty_freeze_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on}"

    def get_absolute_url(self) -> str:
        return reverse("duty:freeze_detail", args=[self.pk])


class LeaveRequest(ScopedModel):
    """A staff member's leave (休假): granted outside a freeze, refused inside one unless a
    leader grants an exception with a reason."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="duty_leave"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=300, blank=True, validators=[validate_text])
    status = models.CharField(_("status"), max_length=20, choices=LeaveStatus.choices)
    exception_reason = models.CharField(_("reason for the exception"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("asked"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leave")
        ordering = ["-starts_on", "-pk"]
        permissions = [("grant_leaverequest", _("Can grant leave during a freeze"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="duty_leave_period"
            )
        ]

    def __str__(self) -> str:
        return f"{_person(self.user)} {self.starts_on} – {self.ends_on}"

    @property
    def is_on_leave(self) -> bool:
        return self.status in (LeaveStatus.GRANTED, LeaveStatus.EXCEPTION)
