"""Key persons' part of "what we hold about this person": each key-person record of the
resident, its four-on-one team (the members' phones masked) and its story (status changes
and contacts, from the key persons' timeline source); and their anonymisation. Registered
in ``ready()``."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.identity import mask_phone
from outpost.core.subject_requests.holdings import (
    ANONYMISED_NAME,
    Erased,
    HoldingsEntry,
    HoldingsSection,
    PersonHoldings,
    anonymise_record,
    anonymise_records,
    fact_pairs,
    timeline_entries,
)
from outpost.keypersons.models import ContactEntry, KeyPerson, TeamMember
from outpost.keypersons.timeline import key_person_events, key_persons_of
from outpost.registry.holdings import person_number_q
from outpost.registry.timeline import staff_name

KEY_PERSON_BLANKS = {
    "name": "",
    "id_number": "",
    "phone": "",
    "address_note": "",
    "source_note": "",
}


def _record_entry(key_person: KeyPerson) -> HoldingsEntry:
    return HoldingsEntry(
        title=_("Key person record"),
        facts=fact_pairs(
            [
                (_("Category"), key_person.get_category_display()),
                (_("Status"), key_person.get_status_display()),
                (_("Source"), key_person.get_source_type_display()),
                (_("Origin category"), key_person.origin_category or ""),
                (_("Arrival date"), key_person.arrival_date),
                (_("Identified on"), key_person.identified_on),
                (_("Under management from"), key_person.managed_from),
                (_("Closed on"), key_person.closed_on),
                (_("Reason for closing"), key_person.closed_reason),
                (_("Where to find the person"), key_person.address_note),
                (_("Unit"), key_person.unit.name),
            ]
        ),
    )


def _team_entries(*, user, key_person: KeyPerson) -> list[HoldingsEntry]:
    members = (
        TeamMember.objects.visible_to(user)
        .filter(key_person=key_person)
        .select_related("role", "worker__staff_profile")
    )
    entries = []
    for member in members:
        profile = getattr(member.worker, "staff_profile", None)
        entries.append(
            HoldingsEntry(
                title=_("Four-on-one team member"),
                at="",
                facts=fact_pairs(
                    [
                        (_("Team role"), member.role.label),
                        (_("Worker"), staff_name(member.worker)),
                        (_("Phone"), mask_phone(profile.phone) if profile else ""),
                        (_("Assigned"), member.assigned_at),
                        (_("Ended"), member.ended_at),
                    ]
                ),
            )
        )
    return entries


def person_holdings(*, user, person) -> list[HoldingsSection]:
    key_persons = list(
        key_persons_of(user=user, resident=person).select_related("unit", "origin_category")
    )
    if not key_persons:
        return []
    entries: list[HoldingsEntry] = []
    for key_person in key_persons:
        entries.append(_record_entry(key_person))
        entries.extend(_team_entries(user=user, key_person=key_person))
    story = timeline_entries(key_person_events(user=user, resident=person))
    return [HoldingsSection(_("Key persons and four-on-one"), (*entries, *story))]


def person_erase(*, acting_user, person, reason: str) -> Erased:
    """Blank the numbers and notes of the person's key-person records (those of the
    resident, and those entered with their ID number before they were registered) and the
    notes of their contacts. Records, teams and contacts stay."""
    key_persons = list(
        KeyPerson.objects.select_for_update().filter(
            Q(resident_id=person.pk) | person_number_q(person)
        )
    )
    kwargs = {"acting_user": acting_user, "reason": reason}
    erased = Erased()
    for key_person in key_persons:
        # One entered without a resident keeps a name (the record must name someone).
        blanks = {**KEY_PERSON_BLANKS, "name": "" if key_person.resident_id else ANONYMISED_NAME}
        erased += Erased(1, anonymise_record(key_person, blanks, **kwargs))
    contacts = ContactEntry.objects.filter(key_person__in=key_persons)
    return erased + anonymise_records(contacts, {"note": ""}, **kwargs)


HOLDINGS = PersonHoldings(
    name="keypersons",
    label=gettext_lazy("Key persons and four-on-one"),
    holdings=person_holdings,
    erase=person_erase,
    order=30,
)
