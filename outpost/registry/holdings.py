"""The registry's part of "what we hold about this person" (个人信息持有情况): the resident's
record (their own numbers in full), their household (the other members masked) and their
door-to-door visits (from the registry's timeline source). Also how a person is found for a
request (`PersonFinder`) and the registry's anonymisation. Registered in ``ready()``."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.identity import mask_phone, masked_display_id
from outpost.core.scoping import get_visible
from outpost.core.subject_requests.holdings import (
    ANONYMISED_NAME,
    Erased,
    FoundPerson,
    HoldingsEntry,
    HoldingsSection,
    PersonFinder,
    PersonHoldings,
    anonymise_record,
    anonymise_records,
    fact_pairs,
    timeline_entries,
)
from outpost.registry.models import Landlord, Resident, VisitMember
from outpost.registry.selectors import resident_list
from outpost.registry.timeline import registry_events

FOUND_AT_MOST = 20
# A resident's identifying fields and their blank values.
RESIDENT_BLANKS = {
    "name": ANONYMISED_NAME,
    "id_number": "",
    "document_number": "",
    "phone": "",
    "birth_date": None,
    "workplace": "",
}
HOUSEHOLD_BLANKS = {"phone": "", "entrance": "", "room": ""}
LANDLORD_BLANKS = {"name": ANONYMISED_NAME, "id_number": "", "phone": ""}


def person_describe(resident: Resident) -> FoundPerson:
    return FoundPerson(
        pk=resident.pk,
        name=resident.name,
        masked_id=masked_display_id(resident),
        unit=resident.unit,
        url=resident.get_absolute_url(),
    )


def person_search(*, user, query: str) -> list[FoundPerson]:
    """The residents of the user's scope the registry's search finds (name, last four
    digits, full ID number or phone); nothing for an empty query."""
    if not query.strip():
        return []
    residents = resident_list(user=user, query=query).filter(merged_into__isnull=True)
    return [person_describe(r) for r in residents.order_by("name", "pk")[:FOUND_AT_MOST]]


def person_get(*, user, pk, action: str = "view") -> Resident:
    return get_visible(Resident, user, pk, action)


def _resident_entry(resident: Resident) -> HoldingsEntry:
    household = resident.household
    return HoldingsEntry(
        title=_("Resident record"),
        facts=fact_pairs(
            [
                (_("Name"), resident.name),
                (_("Document type"), resident.get_document_type_display()),
                (_("ID number"), resident.id_number),
                (_("Document number"), resident.document_number),
                (_("Sex"), resident.get_sex_display()),
                (_("Birth date"), resident.birth_date),
                (_("Phone"), resident.phone),
                (_("Residence type"), resident.get_residence_type_display()),
                (_("Workplace"), resident.workplace),
                (_("Grid"), resident.unit.name),
                (_("Household number"), household.household_number if household else ""),
                (_("Address"), household.address if household else ""),
                (_("Relation to head"), resident.get_relation_to_head_display()),
                (_("Active"), _("yes") if resident.is_active else _("no (moved out or merged)")),
                (_("Registered"), resident.created_at),
            ]
        ),
    )


def _household_entries(*, user, resident: Resident) -> tuple[HoldingsEntry, ...]:
    if resident.household_id is None:
        return ()
    household = resident.household
    entries = [
        HoldingsEntry(
            title=_("Household"),
            facts=fact_pairs(
                [
                    (_("Household number"), household.household_number),
                    (_("Household phone"), mask_phone(household.phone)),
                    (_("Rented out"), _("yes") if household.is_rental else ""),
                ]
            ),
        )
    ]
    others = (
        Resident.objects.visible_to(user)
        .filter(household_id=resident.household_id, merged_into__isnull=True)
        .exclude(pk=resident.pk)
        .order_by("pk")
    )
    for member in others:
        entries.append(
            HoldingsEntry(
                title=_("Household member"),
                facts=fact_pairs(
                    [
                        (_("Name"), member.name),
                        (_("Relation to head"), member.get_relation_to_head_display()),
                        (_("ID number"), masked_display_id(member)),
                        (_("Phone"), mask_phone(member.phone)),
                    ]
                ),
            )
        )
    return tuple(entries)


def person_holdings(*, user, person: Resident) -> list[HoldingsSection]:
    resident = Resident.objects.select_related("unit", "household").get(pk=person.pk)
    return [
        HoldingsSection(
            _("Population registry"),
            (_resident_entry(resident), *_household_entries(user=user, resident=resident)),
        ),
        HoldingsSection(
            _("Registration and door-to-door visits"),
            timeline_entries(registry_events(user=user, resident=resident)),
        ),
    ]


def person_erase(*, acting_user, person: Resident, reason: str) -> Erased:
    """Blank the resident's identifying fields (name, ID and document numbers, phone,
    birth date, workplace), those of a landlord record with their ID number, and the door
    of a household they live in alone. Visits and household stay, so every count stays."""
    resident = Resident.objects.select_for_update().get(pk=person.pk)
    kwargs = {"acting_user": acting_user, "reason": reason}
    landlords = Landlord.objects.filter(id_number=resident.id_number) if resident.id_number else []
    erased = anonymise_records(landlords, LANDLORD_BLANKS, **kwargs)
    erased += Erased(1, anonymise_record(resident, RESIDENT_BLANKS, **kwargs))
    household = resident.household
    if household is not None and not household.members.exclude(pk=resident.pk).exists():
        erased += Erased(1, anonymise_record(household, HOUSEHOLD_BLANKS, **kwargs))
    visits = VisitMember.objects.filter(resident=resident).count()
    return erased + Erased(visits, 0)


def person_number_q(resident: Resident, field: str = "id_number") -> Q:
    """Rows of other apps naming the person by their own ID number (a feed row, a
    dispatched line, a key person entered before the person was registered); none when the
    resident has no ID number. A phone may be the household's, so it names nobody alone."""
    if not resident.id_number:
        return Q(pk__in=[])
    return Q(**{field: resident.id_number})


HOLDINGS = PersonHoldings(
    name="registry",
    label=gettext_lazy("Population registry"),
    holdings=person_holdings,
    erase=person_erase,
    order=10,
)
FINDER = PersonFinder(search=person_search, get=person_get, describe=person_describe)
