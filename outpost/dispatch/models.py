"""Dispatch orders (调度指令) and their items (指令条目). See the package docstring for why
they live in their own app."""

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
    EncryptedJSONField,
)
from outpost.core.identity import mask_id_number, mask_phone
from outpost.core.masking import mask_birth_date
from outpost.core.models import Unit
from outpost.core.scoping import ScopedModel, ScopedQuerySet, user_sees_everything
from outpost.core.validators import NOTE_MAX_LENGTH, validate_note
from outpost.dispatch.choices import LINKED, ItemResult, MatchStatus, OrderStatus


class DispatchOrder(ScopedModel):
    """A dispatched verification order (调度指令): a list from a higher level, with its own
    number, issuing body and deadline, to be verified on the ground (落地核查).

    ``unit`` is the receiving unit (usually the station). The uploaded workbook is kept
    whole; ``headers`` are its column headings in their order, which the feedback workbook
    repeats. A deadline already past is accepted (the order page warns), not refused.
    """

    # Made at a station for the units below it: visible from every level it concerns.
    scope_spans_levels = True

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("receiving unit"),
        on_delete=models.PROTECT,
        related_name="dispatch_orders",
    )
    order_number = models.CharField(_("order number"), max_length=60)
    issuing_body = models.CharField(_("issued by"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"))
    file = models.FileField(_("file"), upload_to="dispatch/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), default=0)
    headers = models.JSONField(_("columns"), default=list, blank=True)
    # Column index (as text) -> field it was read as (name, id_number, phone, birth_date).
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    failure = models.TextField(_("failure"), blank=True)
    total_items = models.PositiveIntegerField(_("items"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dispatch order")
        verbose_name_plural = _("dispatch orders")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.order_number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("dispatch:order_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.deadline < timezone.now()

    @property
    def is_reading(self) -> bool:
        return self.status in (OrderStatus.QUEUED, OrderStatus.READING)


class DispatchItemQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view") -> ScopedQuerySet:
        """As every scoped model, and: a user who may record results but not assign items
        (a grid worker) records only on the items assigned to them. They read the items of
        their grid as they read everything else about its residents (the person's page)."""
        items = super().visible_to(user, action)
        if (
            action == "change"
            and not user_sees_everything(user)
            and not user.has_perm("dispatch.assign_dispatchitem")
        ):
            items = items.filter(assigned_officer=user)
        return items


class DispatchItem(ScopedModel):
    """One item of a dispatch order (指令条目): one row of the incoming list, as sent
    (``values``, in the order's column order), matched to a resident, routed to an officer
    and verified on the ground (落地核查结果).

    ``unit`` is the routed unit: the resident's unit once matched (or the unit of the officer
    it was assigned to by hand, or the grid of the grid worker an officer handed it to), the
    order's unit while unmatched or to review (the duty desk, 值班台). ``assigned_officer``
    is whoever verifies it (核查人): the officer it was routed to, or a grid worker of the
    item's grid (网格员) the officer handed the door check to; the name is older than grid
    workers and stays (the API's ``assigned_officer_id``). ``version`` grows with every
    recorded result: a result form carries the version it was read at, and a stale one is
    refused (no lost update).
    """

    order = models.ForeignKey(
        DispatchOrder, verbose_name=_("order"), on_delete=models.PROTECT, related_name="items"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="dispatch_items"
    )
    row_number = models.PositiveIntegerField(_("row"))
    values = EncryptedJSONField(_("values as sent"), default=list)
    name = models.CharField(_("name"), max_length=100, blank=True)
    id_number = EncryptedCharField(_("ID number"), max_length=40, blank=True)
    id_number_index = BlindIndexField(source="id_number", normaliser="id_number")
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    phone_index = BlindIndexField(source="phone", normaliser="phone")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)

    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatch_items",
    )
    match_status = models.CharField(
        _("match"), max_length=20, choices=MatchStatus.choices, default=MatchStatus.UNMATCHED
    )
    match_rule = models.CharField(_("match rule"), max_length=30, blank=True)
    match_score = models.PositiveSmallIntegerField(_("match score"), default=0)
    identity_key = models.CharField(_("identity key"), max_length=32, blank=True)
    # For review: [{"resident_id": …, "score": …}, …]
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("same person as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatch_items",
    )
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)

    result = models.CharField(_("result"), max_length=20, choices=ItemResult.choices, blank=True)
    moved_to = models.CharField(_("moved to"), max_length=200, blank=True)
    result_note = models.TextField(
        _("note"),
        blank=True,
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH), validate_note],
    )
    result_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    key_person = models.ForeignKey(
        "keypersons.KeyPerson",
        verbose_name=_("key person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    history = HistoricalRecords()

    objects = DispatchItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["order", "row_number"]
        # Routing, review and assigning (to an officer or a grid worker): the station's and
        # the officers' work. Recording a result is `change`.
        permissions = [("assign_dispatchitem", _("Can assign order items"))]
        constraints = [
            models.UniqueConstraint(fields=["order", "row_number"], name="dispatch_item_row_once"),
            models.CheckConstraint(
                condition=~Q(result=ItemResult.MOVED_AWAY) | ~Q(moved_to=""),
                name="dispatch_item_moved_away_says_where",
                violation_error_message=_("Say where the person moved to."),
            ),
        ]
        indexes = [
            models.Index(fields=["assigned_officer", "result"]),
            models.Index(fields=["order", "match_status"]),
        ]

    def __str__(self) -> str:
        return f"{self.order.order_number} #{self.row_number} {self.display_name}"

    def get_absolute_url(self) -> str:
        return reverse("dispatch:item_result", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.resident.name if self.resident_id else self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def sent_details(self) -> list[tuple[str, str]]:
        """The other columns of the row as sent (the higher level's remarks, places, dates),
        heading and value; the ID number and phone columns are left out (shown masked), and
        the birth date is masked as the ID number hides it."""
        mapping = self.order.mapping
        hidden = {
            int(index)
            for index, field in mapping.items()
            if field in ("name", "id_number", "phone")
        }
        birth = {int(index) for index, field in mapping.items() if field == "birth_date"}
        return [
            (heading, (mask_birth_date(self.birth_date) or "****") if index in birth else value)
            for index, (heading, value) in enumerate(
                zip(self.order.headers, self.values, strict=False)
            )
            if index not in hidden and value
        ]

    @property
    def is_linked(self) -> bool:
        return self.match_status in LINKED

    @property
    def is_done(self) -> bool:
        return bool(self.result)

    @property
    def is_overdue(self) -> bool:
        return not self.result and self.order.deadline < timezone.now()

    @property
    def needs_routing(self) -> bool:
        return self.assigned_officer_id is None and self.match_status != MatchStatus.REVIEW
