"""Households, residents and landlords (人口底数). The registry issue adds visits and imports."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.masking import mask_address, mask_id_number, mask_phone
from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel
from outpost.registry.choices import DocumentType, RelationToHead, ResidenceType, Sex


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
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_rental = models.BooleanField(_("rented out"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["street", "building", "entrance", "room"]
        indexes = [models.Index(fields=["unit", "street", "building"])]

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
        return mask_address(street=self.street, building=self.building)

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
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    residence_type = models.CharField(
        _("residence type"),
        max_length=20,
        choices=ResidenceType.choices,
        default=ResidenceType.PERMANENT,
    )
    workplace = models.CharField(_("workplace"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number=""),
                name="registry_resident_unique_id_number",
            ),
            models.UniqueConstraint(
                fields=["document_type", "document_number"],
                condition=~Q(document_number=""),
                name="registry_resident_unique_document",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:resident_detail", args=[self.pk])

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number or self.document_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Landlord(ScopedModel):
    """A landlord (房东); a large landlord (大房东) lets many properties."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="landlords"
    )
    name = models.CharField(_("name"), max_length=60)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_large = models.BooleanField(_("large landlord"), default=False)
    history = HistoricalRecords()

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
