"""Enterprises (企业平安之家): the registry of the jurisdiction's enterprises, their liaisons
and their contact people.

The later parts of the module (notices, requests, donations, dormitories, employees'
daily tests) hang off `Enterprise` with a foreign key named ``enterprise`` and inherit
`EnterpriseScopedModel`, so that their rows are scoped like the enterprise's: staff see
their unit subtree, an enterprise liaison only their own enterprise (see `scoping`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.crypto.fields import BlindIndexField, EncryptedCharField
from outpost.core.identity import mask_phone
from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel
from outpost.enterprises.choices import EnterpriseStatus, Sector
from outpost.enterprises.scoping import EnterpriseScopedQuerySet
from outpost.enterprises.validators import validate_credit_code


class Enterprise(ScopedModel):
    """An enterprise of the jurisdiction (企业): a legal entity known by its unified social
    credit code, lying in a unit (community or grid), with its sector, size, whether it
    produces essential goods (重点保供企业) and whether it works (open / resumed /
    suspended). Never deleted: a closed business is suspended."""

    scope_enterprise_field = "pk"

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="enterprises"
    )
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        error_messages={"unique": _("An enterprise with this credit code is already registered.")},
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    employees = models.PositiveIntegerField(
        _("employees"), null=True, blank=True, help_text=_("Number of employees, if known.")
    )
    is_essential = models.BooleanField(
        _("essential-goods producer"),
        default=False,
        help_text=_("Produces essential goods (重点保供企业): followed every day."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = EnterpriseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["is_essential", "status"]),
            models.Index(fields=["sector"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:detail", args=[self.pk])


class EnterpriseScopedModel(ScopedModel):
    """A row that belongs to one enterprise (its foreign key ``enterprise``): scoped by the
    enterprise's unit for staff, to the enterprise itself for its liaison."""

    scope_unit_field = "enterprise__unit"
    scope_enterprise_field = "enterprise"

    objects = EnterpriseScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class EnterpriseLiaison(EnterpriseScopedModel):
    """An enterprise liaison (企业联络员): a login with the role enterprise liaison, bound to
    the one enterprise it speaks for. It sees that enterprise's records and nothing else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="enterprise_liaison",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="liaisons"
    )
    bound_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bound by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bound_at = models.DateTimeField(_("bound"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enterprise liaison")
        verbose_name_plural = _("enterprise liaisons")
        ordering = ["enterprise", "pk"]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.user_id}"


class EnterpriseContact(EnterpriseScopedModel):
    """A contact person of an enterprise (企业联系人): name, role or title, phone (encrypted
    at rest, shown masked). Archived (``is_active``), never deleted through the UI."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("role or title"), max_length=60, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    phone_index = BlindIndexField(source="phone", normaliser="phone")
    is_active = models.BooleanField(_("active"), default=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enterprise contact")
        verbose_name_plural = _("enterprise contacts")
        ordering = ["enterprise", "-is_active", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


from outpost.enterprises.notices.models import (  # noqa: E402, F401  (the notices' models)
    Notice,
    NoticeAttachment,
    NoticeEscalation,
    NoticeReceipt,
)
