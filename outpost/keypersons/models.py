"""Key persons (重点人员): who they are, where they came from and where they stand.

Later parts of the module (four-on-one teams, contact log, dispatch orders) hang off
`KeyPerson` with their own models and a foreign key to it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.masking import mask_id_number, mask_phone
from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel
from outpost.keypersons.choices import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    KeyPersonCategory,
    KeyPersonStatus,
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
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
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
    closed_reason = models.TextField(_("reason for closing"), blank=True)

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
        if self.resident_id:
            return self.resident.masked_id_number
        return mask_id_number(self.id_number)

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
