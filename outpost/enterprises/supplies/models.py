"""Requests (诉求) and the donations ledger (捐赠物资台账): the models.

Imported by ``outpost.enterprises.models``; every row belongs to app ``enterprises``.
Requests and what hangs off them are scoped like their enterprise (a liaison sees its own
enterprise's). The store's rows (stock, ledger lines) are the station's: staff see the
stores of their unit subtree, a liaison none; a liaison sees the distributions its
enterprise received and the donations it gave.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.crypto.fields import BlindIndexField, EncryptedCharField
from outpost.core.i18n import data_name
from outpost.core.identity import mask_phone
from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel
from outpost.core.validators import NOTE_MAX_LENGTH, validate_note
from outpost.enterprises.models.registry import Enterprise, EnterpriseScopedModel
from outpost.enterprises.scoping import EnterpriseScopedQuerySet, is_liaison
from outpost.enterprises.supplies.choices import (
    PENDING_STATUSES,
    Direction,
    DonorKind,
    RequestKind,
    RequestOutcome,
    RequestStatus,
    StepKind,
)


class StoreQuerySet(EnterpriseScopedQuerySet):
    """The station's own rows (a store's stock and ledger): staff see their subtree's, an
    enterprise liaison none."""

    def visible_to(self, user, action: str = "view"):
        if is_liaison(user):
            return self.none()
        return super().visible_to(user, action)


def _note_field(label):
    return models.TextField(
        label, blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH), validate_note]
    )


class SupplyItem(models.Model):
    """An item of the supplies catalogue (物资品目): masks, protective suits, forehead
    thermometers, disinfectant and others, each counted in its unit of measure (只, 套,
    支, 瓶). Configuration, not personal data."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name in English"), max_length=60, blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=10)
    unit_of_measure_en = models.CharField(
        _("unit of measure in English"), max_length=20, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supply item")
        verbose_name_plural = _("supply items")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return data_name(self.name, self.name_en)

    @property
    def measure(self) -> str:
        return data_name(self.unit_of_measure, self.unit_of_measure_en)


class EnterpriseRequest(EnterpriseScopedModel):
    """A request of an enterprise to the station (企业诉求): its kind, what it asks in words
    and, for goods, the items and quantities (`RequestLine`); due by the kind's deadline;
    assigned to an officer, who records steps (`RequestStep`) and closes it with an
    outcome; then confirmed or reopened by the enterprise. Never deleted."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="requests"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices)
    summary = models.CharField(_("summary"), max_length=120)
    details = _note_field(_("details"))
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprise_requests",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=RequestOutcome.choices, blank=True
    )
    closed_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enterprise request")
        verbose_name_plural = _("enterprise requests")
        ordering = ["-filed_at", "-pk"]
        permissions = [
            ("confirm_enterpriserequest", _("Can confirm or reopen an answered request")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=[RequestStatus.CLOSED, RequestStatus.CONFIRMED])
                | (~Q(outcome="") & Q(closed_at__isnull=False)),
                name="enterprises_request_closed_with_outcome",
                violation_error_message=_("Closing a request needs an outcome."),
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.ASSIGNED) | Q(assigned_to__isnull=False),
                name="enterprises_request_assigned_to_someone",
                violation_error_message=_("A request in hand has an officer."),
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "status"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["assigned_to", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.summary}"

    def get_absolute_url(self) -> str:
        return reverse("supplies:request_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        """The request's number (诉求编号), as pages and the enterprise quote it."""
        return f"SQ{self.pk:06d}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.due_at < timezone.now()


class RequestLine(EnterpriseScopedModel):
    """One item a request asks for and how many (诉求物资明细)."""

    scope_unit_field = "request__enterprise__unit"
    scope_enterprise_field = "request__enterprise"

    request = models.ForeignKey(
        EnterpriseRequest, verbose_name=_("request"), on_delete=models.PROTECT, related_name="lines"
    )
    item = models.ForeignKey(
        SupplyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("requested item")
        verbose_name_plural = _("requested items")
        ordering = ["item__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "item"], name="enterprises_request_item_once"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="enterprises_requestline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.item_id} × {self.quantity}"


class RequestStep(EnterpriseScopedModel):
    """One line of a request's handling record (办理记录): filed, assigned, a step taken,
    supplies delivered, answered, confirmed or reopened; who, when, a note. Append-only."""

    scope_unit_field = "request__enterprise__unit"
    scope_enterprise_field = "request__enterprise"

    request = models.ForeignKey(
        EnterpriseRequest, verbose_name=_("request"), on_delete=models.PROTECT, related_name="steps"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    note = _note_field(_("note"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("request step")
        verbose_name_plural = _("request steps")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self) -> str:
        return f"{self.request_id} {timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.kind}"


class Donor(EnterpriseScopedModel):
    """Who gave supplies to a store (捐赠方): an enterprise of the registry, or a person
    (name and phone; the phone encrypted at rest and shown masked). Kept for the ledger;
    a person's name and phone are anonymised under retention."""

    scope_unit_field = "unit"
    scope_enterprise_field = "enterprise"

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="donors"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DonorKind.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donors",
    )
    name = models.CharField(_("name"), max_length=100)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    phone_index = BlindIndexField(source="phone", normaliser="phone")
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    last_donation_at = models.DateTimeField(_("last donation"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=DonorKind.PERSON, enterprise__isnull=True)
                | Q(kind=DonorKind.ENTERPRISE, enterprise__isnull=False),
                name="enterprises_donor_kind_matches",
                violation_error_message=_(
                    "An enterprise donor names its enterprise; a person none."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supplies:donor_detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Donation(EnterpriseScopedModel):
    """Supplies received from a donor into a unit's store (捐赠入库): one receipt, its
    items in ledger lines IN. Never deleted."""

    scope_unit_field = "unit"
    scope_enterprise_field = "donor__enterprise"

    unit = models.ForeignKey(
        Unit, verbose_name=_("store"), on_delete=models.PROTECT, related_name="donations"
    )
    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="donations"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = _note_field(_("note"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["unit", "received_at"])]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("supplies:donation_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"JZ{self.pk:06d}"


class Distribution(EnterpriseScopedModel):
    """Supplies given out of a unit's store (物资发放) to an enterprise or a unit, against
    the enterprise's request where it asked; who gave them, when, and who signed for them
    (签收人). Its items are ledger lines OUT. Never deleted."""

    scope_unit_field = "unit"
    scope_enterprise_field = "recipient"

    unit = models.ForeignKey(
        Unit, verbose_name=_("store"), on_delete=models.PROTECT, related_name="distributions"
    )
    recipient = models.ForeignKey(
        Enterprise,
        verbose_name=_("receiving enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="distributions",
    )
    recipient_unit = models.ForeignKey(
        Unit,
        verbose_name=_("receiving unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    request = models.ForeignKey(
        EnterpriseRequest,
        verbose_name=_("request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="distributions",
    )
    distributed_at = models.DateTimeField(_("distributed"), default=timezone.now)
    distributed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("distributed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_for_by = models.CharField(_("signed for by"), max_length=60)
    note = _note_field(_("note"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["-distributed_at", "-pk"]
        indexes = [models.Index(fields=["unit", "distributed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, recipient_unit__isnull=True)
                | Q(recipient__isnull=True, recipient_unit__isnull=False),
                name="enterprises_distribution_one_recipient",
                violation_error_message=_("Give supplies to an enterprise or to a unit."),
            ),
            models.CheckConstraint(
                condition=Q(request__isnull=True) | Q(recipient__isnull=False),
                name="enterprises_distribution_request_has_enterprise",
                violation_error_message=_("Supplies against a request go to its enterprise."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("supplies:distribution_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"FF{self.pk:06d}"

    @property
    def recipient_name(self) -> str:
        return self.recipient.name if self.recipient_id else self.recipient_unit.name


class Stock(ScopedModel):
    """The quantity of one item on hand in one unit's store (库存). Changed only with the
    ledger line that moves it, in the same transaction and by an expression, never read
    and written back; the database refuses a quantity below zero."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("store"), on_delete=models.PROTECT, related_name="stock"
    )
    item = models.ForeignKey(
        SupplyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="stock"
    )
    quantity = models.IntegerField(_("on hand"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["unit", "item__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "item"], name="enterprises_stock_once_per_item"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="enterprises_stock_never_negative",
                violation_error_message=_("Stock on hand cannot go below zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.item.label}"

    def get_absolute_url(self) -> str:
        return reverse("supplies:stock_detail", args=[self.pk])


class LedgerLine(ScopedModel):
    """One movement of the donations ledger (物资台账): an item in (a donation's line) or
    out (a distribution's line) of a unit's store, how many, and the stock on hand after
    it. Append-only; the ledger and the stock cannot disagree."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("store"), on_delete=models.PROTECT, related_name="ledger_lines"
    )
    item = models.ForeignKey(
        SupplyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="ledger_lines"
    )
    direction = models.CharField(_("movement"), max_length=3, choices=Direction.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    balance = models.IntegerField(_("on hand after"))
    donation = models.ForeignKey(
        Donation,
        verbose_name=_("donation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lines",
    )
    distribution = models.ForeignKey(
        Distribution,
        verbose_name=_("distribution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lines",
    )
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = StoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="enterprises_ledgerline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="enterprises_ledgerline_balance_never_negative"
            ),
            models.CheckConstraint(
                condition=Q(direction=Direction.IN, donation__isnull=False, distribution=None)
                | Q(direction=Direction.OUT, distribution__isnull=False, donation=None),
                name="enterprises_ledgerline_in_from_donation_out_to_distribution",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "at"]),
            models.Index(fields=["item", "at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        source = self.donation if self.donation_id else self.distribution
        return source.get_absolute_url()

    @property
    def reference(self) -> str:
        return f"TZ{self.pk:06d}"

    @property
    def signed_quantity(self) -> int:
        return self.quantity if self.direction == Direction.IN else -self.quantity
