"""Idle dormitory rooms (闲置宿舍协调): enterprises offer rooms they do not use, for staff
returning from elsewhere who need no isolation; a request for a bed is matched to an offer
and booked, and each booked bed-night is one row (`DormitoryNight`) that the database
keeps unique, so that a bed is never given twice for the same night.

Imported by ``models.py``; the rows are scoped like their enterprise's (see ``scoping``):
an offer, its rooms and the stays in them by the offering enterprise; a request by the
enterprise asking.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outpost.core.crypto.fields import BlindIndexField, EncryptedCharField
from outpost.core.identity import mask_phone
from outpost.enterprises.choices_dormitories import (
    DormitoryRequestStatus,
    OfferStatus,
    StayEnd,
)
from outpost.enterprises.models.registry import Enterprise, EnterpriseScopedModel

__all__ = [
    "DormitoryNight",
    "DormitoryOffer",
    "DormitoryRequest",
    "DormitoryRoom",
    "DormitoryStay",
]

MAX_BEDS_PER_ROOM = 50
MAX_NIGHTS = 60


class DormitoryOffer(EnterpriseScopedModel):
    """An enterprise's offer of idle dormitory rooms (闲置宿舍房源): where, and the first and
    last night they are free. Its rooms are `DormitoryRoom`s. Withdrawn, never deleted."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="dormitory_offers",
    )
    address = models.CharField(_("dormitory address"), max_length=200)
    available_from = models.DateField(_("first night"))
    available_until = models.DateField(_("last night"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.OPEN
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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dormitory offer")
        verbose_name_plural = _("dormitory offers")
        ordering = ["available_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__gte=F("available_from")),
                name="dormitory_offer_until_after_from",
            )
        ]
        indexes = [models.Index(fields=["status", "available_until"])]

    def __str__(self) -> str:
        return self.address

    def get_absolute_url(self) -> str:
        return reverse("dormitories:offer_detail", args=[self.pk])

    def covers(self, first: datetime.date, last: datetime.date) -> bool:
        return self.available_from <= first and last <= self.available_until


class DormitoryRoom(EnterpriseScopedModel):
    """One room of an offer (宿舍房间): its label (门牌) and how many beds it has."""

    scope_unit_field = "offer__enterprise__unit"
    scope_enterprise_field = "offer__enterprise"

    offer = models.ForeignKey(
        DormitoryOffer, verbose_name=_("offer"), on_delete=models.PROTECT, related_name="rooms"
    )
    label = models.CharField(_("room"), max_length=40)
    beds = models.PositiveSmallIntegerField(_("beds"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dormitory room")
        verbose_name_plural = _("dormitory rooms")
        ordering = ["offer", "label", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "label"], name="dormitory_room_label_unique"),
            models.CheckConstraint(
                condition=Q(beds__gte=1) & Q(beds__lte=MAX_BEDS_PER_ROOM),
                name="dormitory_room_beds_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class DormitoryRequest(EnterpriseScopedModel):
    """A request for a dormitory bed (住宿申请) for one member of staff returning from
    elsewhere who needs no isolation: who (name, phone encrypted at rest), arriving when,
    for how many nights, and the enterprise asking. Withdrawn or ended, never deleted."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise asking"),
        on_delete=models.PROTECT,
        related_name="dormitory_requests",
    )
    name = models.CharField(_("name"), max_length=60)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    phone_index = BlindIndexField(source="phone", normaliser="phone")
    arriving_on = models.DateField(_("arriving on"))
    nights = models.PositiveSmallIntegerField(_("nights"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DormitoryRequestStatus.choices,
        default=DormitoryRequestStatus.WAITING,
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
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
        verbose_name = _("dormitory request")
        verbose_name_plural = _("dormitory requests")
        ordering = ["arriving_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nights__gte=1) & Q(nights__lte=MAX_NIGHTS),
                name="dormitory_request_nights_in_range",
            )
        ]
        indexes = [models.Index(fields=["status", "arriving_on"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dormitories:request_detail", args=[self.pk])

    @property
    def last_night(self) -> datetime.date:
        return self.arriving_on + datetime.timedelta(days=self.nights - 1)

    @property
    def leaving_on(self) -> datetime.date:
        return self.arriving_on + datetime.timedelta(days=self.nights)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_waiting(self) -> bool:
        return self.status == DormitoryRequestStatus.WAITING


class DormitoryStay(EnterpriseScopedModel):
    """A booked stay (入住安排): one request's guest in one bed of one room, from the first
    to the last night; ended by check-out or cancellation, which frees the nights not slept.
    Scoped by the enterprise that offers the room."""

    scope_unit_field = "room__offer__enterprise__unit"
    scope_enterprise_field = "room__offer__enterprise"

    request = models.ForeignKey(
        DormitoryRequest, verbose_name=_("request"), on_delete=models.PROTECT, related_name="stays"
    )
    room = models.ForeignKey(
        DormitoryRoom, verbose_name=_("room"), on_delete=models.PROTECT, related_name="stays"
    )
    bed = models.PositiveSmallIntegerField(_("bed"))
    first_night = models.DateField(_("first night"))
    last_night = models.DateField(_("last night"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end = models.CharField(_("how it ended"), max_length=20, choices=StayEnd.choices, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    booked_at = models.DateTimeField(_("booked"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dormitory stay")
        verbose_name_plural = _("dormitory stays")
        ordering = ["first_night", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_night__gte=F("first_night")),
                name="dormitory_stay_last_after_first",
            ),
            # A request has at most one stay that has not ended.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(ended_on__isnull=True),
                name="dormitory_stay_one_current_per_request",
            ),
        ]
        indexes = [models.Index(fields=["first_night", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.request.name} · {self.room.label} #{self.bed}"

    def get_absolute_url(self) -> str:
        return reverse("dormitories:stay_end", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    @property
    def leaving_on(self) -> datetime.date:
        return self.last_night + datetime.timedelta(days=1)


class DormitoryNight(models.Model):
    """One booked bed-night (床位占用): bed `bed` of `room` taken for the night of `night` by
    `stay`. The unique constraint is what refuses a double booking, on every database;
    ending a stay deletes the rows of the nights it no longer takes."""

    room = models.ForeignKey(
        DormitoryRoom, verbose_name=_("room"), on_delete=models.PROTECT, related_name="nights"
    )
    bed = models.PositiveSmallIntegerField(_("bed"))
    night = models.DateField(_("night"))
    stay = models.ForeignKey(
        DormitoryStay, verbose_name=_("stay"), on_delete=models.CASCADE, related_name="nights"
    )

    class Meta:
        verbose_name = _("booked bed-night")
        verbose_name_plural = _("booked bed-nights")
        ordering = ["room", "night", "bed"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "bed", "night"], name="dormitory_night_one_guest_per_bed"
            )
        ]
        indexes = [models.Index(fields=["room", "night"])]

    def __str__(self) -> str:
        return f"{self.room_id}/{self.bed} {self.night:%Y-%m-%d}"
