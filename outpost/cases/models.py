"""Enforcement cases (打击查处): the station's own case ledger, its parties and measures,
and the goods seized with their custody chain.

Every row is scoped by its case's unit (`Case.unit`): staff see the cases of their unit
subtree. A case links, where there is one, to a person of the registry or an enterprise;
a venue link can be added once public order keeps venues. Custody moves are append-only:
nothing of the chain is edited in place or deleted (`CustodyMove.objects` refuses it, and
so do `save()` of a stored move and `delete()`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.cases import dates
from outpost.cases.choices import (
    CaseKind,
    CaseState,
    DisposalStatus,
    ItemState,
    MeasureKind,
    MoveKind,
    PartyKind,
    UnitOfMeasure,
)
from outpost.core.crypto.fields import BlindIndexField, EncryptedCharField
from outpost.core.identity import mask_id_number
from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel, ScopedQuerySet


def _user_fk(verbose_name, *, null=True, related_name="+"):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=null,
        blank=null,
        on_delete=models.PROTECT,
        related_name=related_name,
    )


class Case(ScopedModel):
    """An enforcement case (案件): its number, kind, date, unit and summary, the person or
    enterprise it concerns where there is one (or a free-text description), the officers
    who handle it and its state (registered → investigating → decided → executing →
    closed), each change kept in its history."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cases"
    )
    number = models.CharField(
        _("case number"),
        max_length=40,
        unique=True,
        error_messages={"unique": _("A case with this number is already on the ledger.")},
    )
    kind = models.CharField(_("kind"), max_length=30, choices=CaseKind.choices)
    occurred_on = models.DateField(_("date"))
    summary = models.TextField(_("summary"), max_length=2000)
    state = models.CharField(
        _("state"), max_length=20, choices=CaseState.choices, default=CaseState.REGISTERED
    )
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("linked person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("linked enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    linked_text = models.CharField(
        _("linked place or business"),
        max_length=200,
        blank=True,
        help_text=_("Where there is no record to link: the place or business in words."),
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("officers"), related_name="+", blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = _user_fk(_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["kind", "state"]),
            models.Index(fields=["occurred_on"]),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def handling_due(self):
        return dates.case_due(self.occurred_on)


class CaseScopedModel(ScopedModel):
    """A row of one case (its foreign key ``case``), scoped by the case's unit."""

    scope_unit_field = "case__unit"

    class Meta:
        abstract = True


class Party(CaseScopedModel):
    """A party to a case (当事人): a person known by their resident ID number (validated,
    encrypted, shown masked) or an organisation by its unified social credit code."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="parties"
    )
    kind = models.CharField(_("party"), max_length=20, choices=PartyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True)
    id_number_index = BlindIndexField(source="id_number", normaliser="id_number")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    role = models.CharField(
        _("role in the case"),
        max_length=60,
        blank=True,
        help_text=_("e.g. operator, accomplice, the business's legal person."),
    )
    added_by = _user_fk(_("added by"))
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["case", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=PartyKind.PERSON, credit_code="")
                | Q(kind=PartyKind.ORGANISATION, id_number_index=""),
                name="cases_party_one_kind_of_number",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.case.get_absolute_url()

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def number_shown(self) -> str:
        return self.masked_id_number if self.kind == PartyKind.PERSON else self.credit_code


class Measure(CaseScopedModel):
    """A measure taken in a case (处理措施) against one of its parties: administrative
    detention (days, start, and a deferral of execution with its reason and length), a fine
    (amount, paid or not), a warning, a transfer to another department, or a criminal
    measure. The dates come from the one date engine (`cases.dates`)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="measures"
    )
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
    )
    kind = models.CharField(_("measure"), max_length=20, choices=MeasureKind.choices)
    decided_on = models.DateField(_("decided on"))
    detention_days = models.PositiveSmallIntegerField(_("detention days"), null=True, blank=True)
    detention_start = models.DateTimeField(_("detention starts"), null=True, blank=True)
    deferral_from = models.DateField(_("deferred from"), null=True, blank=True)
    deferral_days = models.PositiveSmallIntegerField(
        _("deferred for (days)"), null=True, blank=True
    )
    deferral_reason = models.CharField(_("reason for the deferral"), max_length=200, blank=True)
    fine_amount = models.DecimalField(
        _("fine (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    fine_paid = models.BooleanField(_("fine paid"), default=False)
    fine_paid_on = models.DateField(_("paid on"), null=True, blank=True)
    transferred_to = models.CharField(_("transferred to"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = _user_fk(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["case", "decided_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fine_amount__isnull=True) | Q(fine_amount__gte=0),
                name="cases_fine_not_negative",
                violation_error_message=_("A fine cannot be below zero."),
            ),
            models.CheckConstraint(
                condition=Q(deferral_days__isnull=True) | Q(deferral_days__gte=1),
                name="cases_deferral_at_least_a_day",
                violation_error_message=_("The deferral would end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=MeasureKind.DETENTION)
                | Q(detention_days__gte=1, detention_start__isnull=False),
                name="cases_detention_has_days_and_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MeasureKind.FINE) | Q(fine_amount__isnull=False),
                name="cases_fine_has_amount",
            ),
        ]
        indexes = [models.Index(fields=["kind", "decided_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decided_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.case.get_absolute_url()

    @property
    def plan(self) -> dates.DetentionPlan | None:
        if self.kind != MeasureKind.DETENTION or not self.detention_start:
            return None
        return dates.detention_plan(
            start=self.detention_start,
            days=self.detention_days,
            deferral_days=self.deferral_days,
            deferral_from=self.deferral_from,
        )

    @property
    def fine_due(self):
        if self.kind != MeasureKind.FINE:
            return None
        return dates.fine_due(self.decided_on)


def photo_path(instance, filename: str) -> str:
    return f"cases/photos/{instance.item.case_id}/{instance.item_id}-{filename}"


class SeizedItem(CaseScopedModel):
    """Goods seized in a case (扣押物品): what, how many of which unit of measure (桶, 公斤,
    件…), the specification, and — kept up to date by the custody moves only, never edited —
    where it stands, who holds it and where it is kept."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="items"
    )
    description = models.CharField(_("item"), max_length=200)
    specification = models.CharField(
        _("specification"), max_length=100, blank=True, help_text=_("e.g. 3.8 kg a barrel.")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    measure = models.CharField(_("unit of measure"), max_length=20, choices=UnitOfMeasure.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=ItemState.choices, default=ItemState.SEIZED
    )
    holder = _user_fk(_("held by"))
    location = models.CharField(_("kept at"), max_length=200, blank=True)
    seized_at = models.DateTimeField(_("seized"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seized item")
        verbose_name_plural = _("seized items")
        ordering = ["case", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cases_item_quantity_positive")
        ]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return self.description

    def get_absolute_url(self) -> str:
        return reverse("cases:item_detail", args=[self.pk])


class AppendOnlyQuerySet(ScopedQuerySet):
    """The custody chain's queryset: rows are added, never changed or removed."""

    def update(self, **kwargs):
        raise ValidationError(_("The custody chain is append-only: a move is never changed."))

    def delete(self):
        raise ValidationError(_("The custody chain is append-only: a move is never deleted."))


class CustodyMove(ScopedModel):
    """One step of a seized item's custody chain (保管流转记录): who handed it to whom (a
    colleague, or someone outside: a department, the owner, the destruction site), when,
    why and where it is kept after. Append-only: the chain is the audit of the goods."""

    scope_unit_field = "item__case__unit"

    item = models.ForeignKey(
        SeizedItem, verbose_name=_("seized item"), on_delete=models.PROTECT, related_name="moves"
    )
    kind = models.CharField(_("step"), max_length=20, choices=MoveKind.choices)
    from_user = _user_fk(_("handed over by"))
    to_user = _user_fk(_("received by"))
    to_outside = models.CharField(
        _("received by (outside the station)"),
        max_length=200,
        blank=True,
        help_text=_("A department, the owner or the destruction site."),
    )
    location = models.CharField(_("kept at"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"))
    reason = models.CharField(_("why"), max_length=500)
    approved_by = _user_fk(_("approved by"))
    recorded_by = _user_fk(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("custody move")
        verbose_name_plural = _("custody moves")
        ordering = ["item", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=("return", "destroy")) | Q(approved_by__isnull=False),
                name="cases_disposal_is_approved",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("from_user")),
                name="cases_disposal_approved_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return self.item.get_absolute_url()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("The custody chain is append-only: a move is never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The custody chain is append-only: a move is never deleted."))


class DisposalRequest(ScopedModel):
    """A request to return or destroy a seized item (处置申请), by the officer who holds it;
    a second officer approves it (which writes the custody move) or refuses it."""

    scope_unit_field = "item__case__unit"

    item = models.ForeignKey(
        SeizedItem,
        verbose_name=_("seized item"),
        on_delete=models.PROTECT,
        related_name="disposals",
    )
    kind = models.CharField(
        _("disposal"),
        max_length=20,
        choices=[(k.value, k.label) for k in (MoveKind.RETURN, MoveKind.DESTROY)],
    )
    to_outside = models.CharField(_("to"), max_length=200)
    reason = models.CharField(_("why"), max_length=500)
    requested_by = _user_fk(_("requested by"), null=False)
    requested_at = models.DateTimeField(_("requested"))
    status = models.CharField(
        _("status"), max_length=20, choices=DisposalStatus.choices, default=DisposalStatus.PENDING
    )
    decided_by = _user_fk(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    move = models.OneToOneField(
        CustodyMove,
        verbose_name=_("custody move"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disposal request")
        verbose_name_plural = _("disposal requests")
        ordering = ["-requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="pending"),
                name="cases_one_pending_disposal_per_item",
                violation_error_message=_("This item already waits for a disposal approval."),
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="cases_disposal_decided_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.item}"

    def get_absolute_url(self) -> str:
        return self.item.get_absolute_url()


class ItemPhoto(ScopedModel):
    """A photo of a seized item (扣押物品照片), in Django's storage, re-encoded on upload
    (size and pixels bounded, metadata such as the location dropped)."""

    scope_unit_field = "item__case__unit"

    item = models.ForeignKey(
        SeizedItem, verbose_name=_("seized item"), on_delete=models.PROTECT, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=photo_path)
    uploaded_by = _user_fk(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo of a seized item")
        verbose_name_plural = _("photos of seized items")
        ordering = ["item", "pk"]

    def __str__(self) -> str:
        return f"{self.item} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("cases:photo", args=[self.pk])
