"""Dormitory coordination's part of "what we hold about this person": the requests for a
dormitory bed that name the resident (same name and same phone), with the enterprise, the
dates and the room they were given; and their anonymisation. Registered in ``ready()``."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.subject_requests.holdings import (
    ANONYMISED_NAME,
    Erased,
    HoldingsEntry,
    HoldingsSection,
    PersonHoldings,
    anonymise_record,
    fact_pairs,
)
from outpost.enterprises.models import DormitoryRequest


def requests_naming(person) -> Q:
    """Requests with the resident's name and phone (none without a phone: a name alone is
    not a person)."""
    if not getattr(person, "phone", "") or not person.name:
        return Q(pk__in=[])
    return Q(name=person.name, phone=person.phone)


def person_holdings(*, user, person) -> list[HoldingsSection]:
    requests = (
        DormitoryRequest.objects.visible_to(user)
        .filter(requests_naming(person))
        .select_related("enterprise")
        .prefetch_related("stays__room__offer")
    )
    entries = []
    for request in requests:
        stays = "; ".join(
            f"{stay.room.offer.address} {stay.room.label} #{stay.bed} "
            f"{stay.first_night:%Y-%m-%d}–{stay.last_night:%Y-%m-%d}"
            for stay in request.stays.all()
        )
        entries.append(
            HoldingsEntry(
                title=_("Dormitory request"),
                facts=fact_pairs(
                    [
                        (_("Enterprise asking"), request.enterprise.name),
                        (_("Phone"), request.masked_phone),
                        (_("Arriving on"), request.arriving_on),
                        (_("Nights"), request.nights),
                        (_("Status"), request.get_status_display()),
                        (_("Stays"), stays),
                        (_("Note"), request.note),
                        (_("Created"), request.created_at),
                    ]
                ),
            )
        )
    if not entries:
        return []
    return [HoldingsSection(_("Dormitory rooms"), tuple(entries))]


def person_erase(*, acting_user, person, reason: str) -> Erased:
    """Blank the name, phone and note of the requests naming the person; the requests and
    their stays stay, so the rooms' occupancy keeps its history."""
    erased = Erased()
    requests = DormitoryRequest.objects.select_for_update().filter(requests_naming(person))
    for request in requests:
        blanks = {"name": ANONYMISED_NAME, "phone": "", "note": ""}
        erased += Erased(
            1, anonymise_record(request, blanks, acting_user=acting_user, reason=reason)
        )
    return erased


HOLDINGS = PersonHoldings(
    name="enterprises.dormitories",
    label=gettext_lazy("Dormitory rooms"),
    holdings=person_holdings,
    erase=person_erase,
    order=62,
)
