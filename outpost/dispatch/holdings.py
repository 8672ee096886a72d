"""Dispatch's part of "what we hold about this person": each dispatched item about them
(from dispatch's timeline source) and the line as it came from above (their own numbers in
full); and their anonymisation. Registered in ``ready()``."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.subject_requests.holdings import (
    Erased,
    HoldingsEntry,
    HoldingsSection,
    PersonHoldings,
    anonymise_record,
    fact_pairs,
    timeline_entries,
)
from outpost.dispatch.models import DispatchItem
from outpost.dispatch.timeline import dispatch_events
from outpost.registry.holdings import person_number_q


def _about(person) -> Q:
    return Q(resident_id=person.pk) | Q(key_person__resident_id=person.pk) | person_number_q(person)


def _item_entry(item: DispatchItem) -> HoldingsEntry:
    return HoldingsEntry(
        title=_("Dispatched line %(order)s · row %(row)d")
        % {"order": item.order.order_number, "row": item.row_number},
        facts=fact_pairs(
            [
                (_("Name"), item.name),
                (_("ID number"), item.id_number),
                (_("Phone"), item.phone),
                (_("Birth date"), item.birth_date),
                (_("Moved to"), item.moved_to),
                (_("Note"), item.result_note),
            ]
        ),
    )


def person_holdings(*, user, person) -> list[HoldingsSection]:
    items = DispatchItem.objects.visible_to(user).filter(_about(person)).select_related("order")
    entries = (
        *timeline_entries(dispatch_events(user=user, resident=person)),
        *(_item_entry(item) for item in items.order_by("pk")),
    )
    return [HoldingsSection(_("Dispatch orders"), entries)] if entries else []


def person_erase(*, acting_user, person, reason: str) -> Erased:
    """Blank the name, numbers, birth date and new address of each dispatched line about
    the person, and the same values among the cells of the line as sent. Items stay."""
    erased = Erased()
    for item in DispatchItem.objects.select_for_update(of=("self",)).filter(_about(person)):
        personal = {
            str(value)
            for value in (item.name, item.id_number, item.phone, item.birth_date, item.moved_to)
            if value
        }
        values = ["" if str(cell) in personal else cell for cell in item.values or []]
        blanks = {
            "name": "",
            "id_number": "",
            "phone": "",
            "birth_date": None,
            "moved_to": "",
            "result_note": "",
            "values": values,
        }
        erased += Erased(1, anonymise_record(item, blanks, acting_user=acting_user, reason=reason))
    return erased


HOLDINGS = PersonHoldings(
    name="dispatch",
    label=gettext_lazy("Dispatch orders"),
    holdings=person_holdings,
    erase=person_erase,
    order=40,
)
