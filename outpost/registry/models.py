"""Households, residents, landlords and door-to-door visits (人口底数 · 地毯式排查)."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.crypto.fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedTextField,
    Last4Field,
)
from outpost.core.identity import (
    household_address_masked,
    mask_id_number,
    mask_phone,
    masked_display_id,
)
from outpost.core.masking import mask_birth_date
from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel
from outpost.core.validators import NOTE_MAX_LENGTH, validate_note
from outpost.registry.choices import (
    DocumentType,
    HealthStatus,
    MemberPresence,
    RelationToHead,
    ResidenceType,
    Sex,
    Transport,
    VisitOutcome,
)


class Household(ScopedModel):
    """A household (户) at one address, in one grid."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="households"
    )
    household_number = models.CharField(_("household number"), max_length=30, unique=True)
    street = models.CharField(_("street"), max_length=100)
    building = models.CharField(_("building"), max_length=20)
    entrance = models.CharField(_("entrance"), max_length=10, blank=True)
    room = models.CharField(_("room"), max_length=20)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    phone_index = BlindIndexField(source="phone", normaliser="phone")
    is_rental = models.BooleanField(_("rented out"), default=False)
    visited = models.BooleanField(
        _("visited"),
        default=False,
        editable=False,
        help_text=_("Visited in a campaign (kept from the visits, for the screening figures)."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The flag is derived from the visits, which keep their own history.
    history = HistoricalRecords(excluded_fields=["phone_index", "visited"])

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["street", "building", "entrance", "room"]
        indexes = [
            models.Index(fields=["unit", "street", "building"]),
            # The list's order: its first page reads 50 rows of the index, not a sort of
            # every household of the station (160 ms on PostgreSQL for the station leader).
            models.Index(
                fields=["street", "building", "entrance", "room", "id"],
                name="registry_household_order",
            ),
            # The dashboard's counts by unit (all, and visited) read this index alone.
            models.Index(
                fields=["unit", "visited"], include=["id"], name="registry_household_counts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_number} {self.masked_address}"

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.pk])

    @property
    def address(self) -> str:
        entrance = f"{self.entrance}单元" if self.entrance else ""
        return f"{self.street}{self.building}号{entrance}{self.room}室"

    @property
    def masked_address(self) -> str:
        return household_address_masked(street=self.street, building=self.building)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Resident(ScopedModel):
    """A person in the registry (居民). People without a resident ID carry another document."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="residents"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    relation_to_head = models.CharField(
        _("relation to head"), max_length=20, choices=RelationToHead.choices, blank=True
    )
    name = models.CharField(_("name"), max_length=60, db_index=True)
    document_type = models.CharField(
        _("document type"),
        max_length=30,
        choices=DocumentType.choices,
        default=DocumentType.RESIDENT_ID,
    )
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True)
    document_number = EncryptedCharField(_("document number"), max_length=40, blank=True)
    # Keyed blind indexes (core.crypto): the number as stored, searched and unique; and its
    # canonical form (old 15-digit numbers upgraded, x as X), by which duplicates of one
    # number written apart are found.
    id_number_index = BlindIndexField(source="id_number", normaliser="exact")
    id_canonical_index = BlindIndexField(source="id_number", normaliser="canonical", search=False)
    document_number_index = BlindIndexField(source="document_number", normaliser="exact")
    document_canonical_index = BlindIndexField(
        source="document_number", normaliser="canonical", search=False
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    phone_index = BlindIndexField(source="phone", normaliser="phone", db_index=True)
    residence_type = models.CharField(
        _("residence type"),
        max_length=20,
        choices=ResidenceType.choices,
        default=ResidenceType.PERMANENT,
    )
    workplace = models.CharField(_("workplace"), max_length=200, blank=True)
    # The last four characters of the ID number and of the phone, in clear (every masked
    # form shows them), derived on every write (a form, an import, the demo), indexed: a
    # search by the last four digits (尾号) is a seek, not a scan of every resident.
    id_last4 = Last4Field(source="id_number", db_index=True)
    phone_last4 = Last4Field(source="phone", db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_duplicates",
        help_text=_("Set when this record was a duplicate and was merged into another."),
    )
    screened = models.BooleanField(
        _("screened"),
        default=False,
        editable=False,
        help_text=_("Met on a visit (kept from the visits, for the screening figures)."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords(
        excluded_fields=[
            "screened",  # derived from the visits, which keep their own history
            "id_last4",
            "phone_last4",
            "id_number_index",
            "id_canonical_index",
            "document_number_index",
            "document_canonical_index",
            "phone_index",
        ]
    )

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name", "pk"]
        # The counts by unit of the lists and the dashboard read this index alone.
        indexes = [
            models.Index(
                fields=["unit", "is_active", "merged_into", "screened"],
                include=["id"],
                name="registry_resident_counts",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~Q(id_number_index=""),
                name="registry_resident_unique_id_number",
            ),
            models.UniqueConstraint(
                fields=["document_type", "document_number_index"],
                condition=~Q(document_number_index=""),
                name="registry_resident_unique_document",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:resident_detail", args=[self.pk])

    @property
    def masked_id_number(self) -> str:
        return masked_display_id(self)

    @property
    def masked_birth_date(self) -> str:
        return mask_birth_date(self.birth_date)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Landlord(ScopedModel):
    """A landlord (房东); a large landlord (大房东) lets many properties."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="landlords"
    )
    name = models.CharField(_("name"), max_length=60)
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True)
    id_number_index = BlindIndexField(source="id_number", normaliser="id_number")
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    phone_index = BlindIndexField(source="phone", normaliser="phone")
    is_large = models.BooleanField(_("large landlord"), default=False)
    history = HistoricalRecords(excluded_fields=["id_number_index", "phone_index"])

    class Meta:
        verbose_name = _("landlord")
        verbose_name_plural = _("landlords")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class RentalProperty(ScopedModel):
    """A property a landlord lets (出租房屋); its tenants are the household's residents."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="rental_properties"
    )
    landlord = models.ForeignKey(
        Landlord, verbose_name=_("landlord"), on_delete=models.PROTECT, related_name="properties"
    )
    household = models.OneToOneField(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="rental_property",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rental property")
        verbose_name_plural = _("rental properties")

    def __str__(self) -> str:
        return f"{self.landlord} — {self.household}"


class Campaign(ScopedModel):
    """A screening campaign (排查批次): every household of its scope is visited in its dates.

    Visible to users of its scope units, of the units above them and of the units below
    them (it spans levels); each sees the visits of their own subtree."""

    scope_unit_field = "scope_units"
    scope_spans_levels = True

    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("organised by"),
        on_delete=models.PROTECT,
        related_name="organised_campaigns",
    )
    scope_units = models.ManyToManyField(Unit, verbose_name=_("scope"), related_name="campaigns")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_closed = models.BooleanField(_("closed"), default=False)
    history = HistoricalRecords(m2m_fields=[scope_units])

    class Meta:
        verbose_name = _("screening campaign")
        verbose_name_plural = _("screening campaigns")
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="registry_campaign_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:campaign_detail", args=[self.pk])


class Visit(ScopedModel):
    """A door-to-door visit (入户排查) of one household in one campaign."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="visits"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="visits"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visited_at = models.DateTimeField(_("visited at"))
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=VisitOutcome.choices, default=VisitOutcome.COMPLETED
    )
    phone_confirmed = models.BooleanField(_("household phone confirmed"), default=False)
    note = EncryptedTextField(
        _("note"),
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH), validate_note],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("door-to-door visit")
        verbose_name_plural = _("door-to-door visits")
        ordering = ["-visited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"], name="registry_visit_one_per_campaign"
            )
        ]
        indexes = [models.Index(fields=["campaign", "unit"])]

    def __str__(self) -> str:
        return f"{self.household.household_number} {timezone.localtime(self.visited_at):%Y-%m-%d}"


class VisitMember(ScopedModel):
    """One person seen (or missed) at a visit, with their declared travel and health."""

    scope_unit_field = "visit__unit"

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="members"
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="visit_records",
    )
    presence = models.CharField(_("presence"), max_length=20, choices=MemberPresence.choices)
    travelled = models.BooleanField(_("travelled in the last 14 days"), default=False)
    origin_place = models.CharField(_("came back from"), max_length=100, blank=True)
    origin_region_code = models.CharField(_("region code"), max_length=6, blank=True)
    returned_on = models.DateField(_("date back"), null=True, blank=True)
    transport = models.CharField(
        _("transport"), max_length=20, choices=Transport.choices, blank=True
    )
    health_status = models.CharField(
        _("health"), max_length=20, choices=HealthStatus.choices, default=HealthStatus.HEALTHY
    )
    phone_confirmed = models.BooleanField(_("phone confirmed"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit member")
        verbose_name_plural = _("visit members")
        # Persons screened per campaign count members by presence for every visit.
        indexes = [models.Index(fields=["visit", "presence"])]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "resident"], name="registry_visitmember_once_per_visit"
            ),
            models.CheckConstraint(
                condition=Q(travelled=False) | ~Q(origin_place=""),
                name="registry_visitmember_travel_has_origin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident.name} ({self.get_presence_display()})"
