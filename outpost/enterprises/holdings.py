"""Enterprises' part of "what we hold about this person": the enterprise contact entries
that name the resident (same name and same phone: a phone alone may be a household's or a
switchboard's), with the enterprise and role, the phone masked; and their anonymisation.
Registered in ``ready()``."""

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
from outpost.enterprises.models import EnterpriseContact


def contacts_naming(person) -> Q:
    """Contact entries with the resident's name and phone (none without a phone)."""
    if not getattr(person, "phone", "") or not person.name:
        return Q(pk__in=[])
    return Q(name=person.name, phone=person.phone)


def person_holdings(*, user, person) -> list[HoldingsSection]:
    contacts = (
        EnterpriseContact.objects.visible_to(user)
        .filter(contacts_naming(person))
        .select_related("enterprise")
    )
    entries = [
        HoldingsEntry(
            title=_("Enterprise contact person"),
            facts=fact_pairs(
                [
                    (_("Enterprise"), contact.enterprise.name),
                    (_("Role or title"), contact.title),
                    (_("Phone"), contact.masked_phone),
                    (_("Active"), _("yes") if contact.is_active else _("no")),
                    (_("Created"), contact.created_at),
                ]
            ),
        )
        for contact in contacts
    ]
    if not entries:
        return []
    return [HoldingsSection(_("Enterprises"), tuple(entries))]


def person_erase(*, acting_user, person, reason: str) -> Erased:
    """Blank the name, title and phone of the contact entries naming the person; the rows
    stay (archived), so the enterprise keeps its history."""
    erased = Erased()
    contacts = EnterpriseContact.objects.select_for_update().filter(contacts_naming(person))
    for contact in contacts:
        blanks = {"name": ANONYMISED_NAME, "title": "", "phone": ""}
        erased += Erased(
            1, anonymise_record(contact, blanks, acting_user=acting_user, reason=reason)
        )
    return erased


HOLDINGS = PersonHoldings(
    name="enterprises",
    label=gettext_lazy("Enterprises"),
    holdings=person_holdings,
    erase=person_erase,
    order=60,
)
