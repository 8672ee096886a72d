"""Key persons (重点人员): who they are, where they came from and where they stand.

Later parts of the module (four-on-one teams, contact log, dispatch orders) hang off
`KeyPerson` with their own models and a foreign key to it.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from outpost.core.choices import Role
from outpost.core.crypto.fields import BlindIndexField, EncryptedCharField, EncryptedTextField
from outpost.core.i18n import data_name
from outpost.core.identity import mask_phone, masked_display_id
from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel
from outpost.core.validators import NOTE_MAX_LENGTH, validate_note
from outpost.keypersons.choices import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    ContactChannel,
    ContactOutcome,
    KeyPersonCategory,
    KeyPersonStatus,
    MemberStatus,
    SourceType,
)


class KeyPerson(ScopedModel):
    """A key person (重点人员): a resident, or someone not yet in the registry, whom the
    station watches for a reason (category), from a source, through a lifecycle
    identified → under management → released / transferred / moved away.

    Never deleted: closing keeps the record with its reason. ``unit`` is the resident's
    unit when the key person was identified (for a person not in the registry, the unit
    chosen), for scoping. At most one active key person per resident; the origin source is
    kept here and every source (the origin one too) in `KeyPersonSource`.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="key_persons"
    )
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_persons",
    )
    # A person not in the registry yet: what is known. Empty when `resident` is set.
    name = models.CharField(_("name"), max_length=60, blank=True)
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True)
    id_number_index = BlindIndexField(source="id_number", normaliser="id_number")
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    phone_index = BlindIndexField(source="phone", normaliser="phone")
    address_note = models.CharField(
        _("where to find the person"),
        max_length=200,
        blank=True,
        help_text=_("Street, building or place; for a person not in the registry."),
    )

    category = models.CharField(_("category"), max_length=30, choices=KeyPersonCategory.choices)
    source_type = models.CharField(_("source"), max_length=20, choices=SourceType.choices)
    screening_run = models.ForeignKey(
        "screening.ScreeningRun",
        verbose_name=_("screening run"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_persons",
    )
    source_note = models.CharField(_("source note"), max_length=300, blank=True)
    origin_category = models.ForeignKey(
        "screening.OriginCategory",
        verbose_name=_("origin category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=KeyPersonStatus.choices,
        default=KeyPersonStatus.IDENTIFIED,
    )
    identified_on = models.DateField(_("identified on"), default=timezone.localdate)
    managed_from = models.DateField(_("under management from"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_reason = models.TextField(
        _("reason for closing"),
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH), validate_note],
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")
        ordering = ["-identified_on", "-pk"]
        # Closing (released, transferred, moved away) is a decision of the station's
        # officers, not of every member of the four-on-one team.
        permissions = [("close_keyperson", _("Can close key persons"))]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="keypersons_one_active_per_resident",
                violation_error_message=_("This resident is already an active key person."),
            ),
            models.CheckConstraint(
                condition=Q(resident__isnull=False) | ~Q(name=""),
                name="keypersons_keyperson_names_a_person",
                violation_error_message=_("Choose a resident or enter the person's name."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ACTIVE_STATUSES)
                | (~Q(closed_reason="") & Q(closed_on__isnull=False)),
                name="keypersons_keyperson_closed_with_reason",
                violation_error_message=_("Closing a key person needs a reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "category"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("keypersons:detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.resident.name if self.resident_id else self.name

    @property
    def masked_id_number(self) -> str:
        return masked_display_id(self)

    @property
    def masked_phone(self) -> str:
        if self.resident_id:
            return self.resident.masked_phone
        return mask_phone(self.phone)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class KeyPersonSource(ScopedModel):
    """One source that named a key person (重点人员来源): the one that made them a key
    person, and each later one (a second screening run, a dispatch order) that found them
    again while they were still active. Append-only."""

    scope_unit_field = "key_person__unit"

    key_person = models.ForeignKey(
        KeyPerson, verbose_name=_("key person"), on_delete=models.PROTECT, related_name="sources"
    )
    source_type = models.CharField(_("source"), max_length=20, choices=SourceType.choices)
    screening_run = models.ForeignKey(
        "screening.ScreeningRun",
        verbose_name=_("screening run"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_person_sources",
    )
    origin_category = models.ForeignKey(
        "screening.OriginCategory",
        verbose_name=_("origin category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("noted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    noted_at = models.DateTimeField(_("noted"), auto_now_add=True)

    class Meta:
        verbose_name = _("key person source")
        verbose_name_plural = _("key person sources")
        ordering = ["noted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key_person", "screening_run"],
                condition=Q(screening_run__isnull=False),
                name="keypersons_source_once_per_run",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_person_id}: {self.get_source_type_display()}"


class TeamRole(models.Model):
    """A place on the four-on-one team (四包一岗位): community cadre, police officer, medical
    worker, grid worker by default; some places add a volunteer (a fifth row). The member
    of a place must hold the staff role `staff_role`. Configuration, not personal data."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name in English"), max_length=60, blank=True)
    staff_role = models.CharField(
        _("staff role"),
        max_length=30,
        choices=Role.choices,
        help_text=_("The role a member of this place must hold."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team role")
        verbose_name_plural = _("team roles")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return data_name(self.name, self.name_en)


class TeamMember(ScopedModel):
    """One member of a key person's four-on-one team (包保责任人): a worker in one team
    role, proposed by the system or confirmed by a user. A change ends the old row
    (`ended_at`) and adds a new one, so the history of who was responsible is kept; at
    most one current member per key person and role."""

    scope_unit_field = "key_person__unit"

    key_person = models.ForeignKey(
        KeyPerson, verbose_name=_("key person"), on_delete=models.PROTECT, related_name="team"
    )
    role = models.ForeignKey(
        TeamRole, verbose_name=_("team role"), on_delete=models.PROTECT, related_name="members"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="team_memberships",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.PROPOSED
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["role__order", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key_person", "role"],
                condition=Q(ended_at__isnull=True),
                name="keypersons_one_current_member_per_role",
                violation_error_message=_("This place of the team already has a member."),
            )
        ]
        indexes = [
            models.Index(fields=["worker", "ended_at"]),
            models.Index(fields=["key_person", "ended_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.key_person_id} {self.role_id}: {self.worker_id}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class ContactEntry(ScopedModel):
    """One contact with a key person (联系记录, 工作台账的一行): a phone call, SMS, door visit
    or video call by a worker, when, how it went, and a note. Append-only."""

    scope_unit_field = "key_person__unit"

    key_person = models.ForeignKey(
        KeyPerson, verbose_name=_("key person"), on_delete=models.PROTECT, related_name="contacts"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="key_person_contacts",
    )
    contacted_at = models.DateTimeField(_("contacted at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=ContactChannel.choices)
    outcome = models.CharField(
        pgettext_lazy("contact", "outcome"), max_length=20, choices=ContactOutcome.choices
    )
    note = EncryptedTextField(
        _("note"),
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH), validate_note],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-contacted_at", "-pk"]
        indexes = [
            models.Index(fields=["key_person", "contacted_at"]),
            models.Index(fields=["contacted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.key_person_id} {timezone.localtime(self.contacted_at):%Y-%m-%d %H:%M} {self.channel}"


class ContactRule(models.Model):
    """How often a key person under management must be contacted (联系频次要求): every
    `every_hours` hours; a row without a category is the default, a row with one applies
    to key persons of that category. Configuration, not personal data."""

    category = models.CharField(
        _("category"),
        max_length=30,
        choices=KeyPersonCategory.choices,
        blank=True,
        unique=True,
        help_text=_("Leave empty for the default rule."),
    )
    every_hours = models.PositiveSmallIntegerField(_("contact at least every (hours)"), default=24)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact rule")
        verbose_name_plural = _("contact rules")
        ordering = ["category"]
        constraints = [
            models.CheckConstraint(
                condition=Q(every_hours__gte=1),
                name="keypersons_contactrule_positive_hours",
                violation_error_message=_("Contact at least once every hour or more."),
            )
        ]

    def __str__(self) -> str:
        label = self.get_category_display() if self.category else _("default")
        return f"{label}: {self.every_hours} h"
