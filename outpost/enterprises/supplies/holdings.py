"""Requests' and the ledger's part of "what we hold about this person": the donor entries
that name the resident (same name and same phone, as for enterprise contacts), with the
store and what they gave, the phone masked; and their anonymisation. Registered in the
app's ``ready()``."""

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
from outpost.enterprises.supplies.choices import DonorKind
from outpost.enterprises.supplies.models import Donor


def donors_naming(person) -> Q:
    """Person donors with the resident's name and phone (none without a phone)."""
    if not getattr(person, "phone", "") or not person.name:
        return Q(pk__in=[])
    return Q(kind=DonorKind.PERSON, name=person.name, phone=person.phone)


def person_holdings(*, user, person) -> list[HoldingsSection]:
    donors = Donor.objects.visible_to(user).filter(donors_naming(person)).select_related("unit")
    entries = [
        HoldingsEntry(
            title=_("Donor of supplies"),
            facts=fact_pairs(
                [
                    (_("Store"), donor.unit.name),
                    (_("Phone"), donor.masked_phone),
                    (_("Donations"), donor.donations.count()),
                    (_("Last donation"), donor.last_donation_at),
                ]
            ),
        )
        for donor in donors
    ]
    if not entries:
        return []
    return [HoldingsSection(_("Donated supplies"), tuple(entries))]


def person_erase(*, acting_user, person, reason: str) -> Erased:
    """Blank the name and phone of the person's donor entries; the donations stay in the
    ledger under the anonymised donor."""
    erased = Erased()
    for donor in Donor.objects.select_for_update().filter(donors_naming(person)):
        blanks = {"name": ANONYMISED_NAME, "phone": ""}
        erased += Erased(1, anonymise_record(donor, blanks, acting_user=acting_user, reason=reason))
    return erased


HOLDINGS = PersonHoldings(
    name="enterprises.supplies",
    label=gettext_lazy("Donated supplies"),
    holdings=person_holdings,
    erase=person_erase,
    order=61,
)
