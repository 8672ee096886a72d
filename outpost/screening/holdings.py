"""Screening's part of "what we hold about this person": their feed matches and travel
discrepancies (from screening's timeline source) and the feed rows that named them (their
own numbers in full); and their anonymisation. Registered in ``ready()``."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.subject_requests.holdings import (
    Erased,
    HoldingsEntry,
    HoldingsSection,
    PersonHoldings,
    anonymise_records,
    fact_pairs,
    timeline_entries,
)
from outpost.registry.holdings import person_number_q
from outpost.screening.choices import LinkStatus
from outpost.screening.models import FeedRow, ScreeningResult, TravelDiscrepancy
from outpost.screening.timeline import screening_events

FEED_ROW_BLANKS = {"name": "", "id_number": "", "phone": "", "train_or_flight": "", "seat": ""}
DISCREPANCY_BLANKS = {"train_or_flight": "", "seat": ""}


def _feed_row_ids(results) -> list[int]:
    return [
        source["row_id"]
        for result in results
        for source in result.sources or []
        if isinstance(source.get("row_id"), int)
    ]


def _person_feed_rows(feed_rows, person, results):
    """The feed rows that named the person: those linked to them by a screening run, and
    those with their ID number."""
    return feed_rows.filter(Q(pk__in=_feed_row_ids(results)) | person_number_q(person))


def _feed_row_entries(*, user, person) -> tuple[HoldingsEntry, ...]:
    results = (
        ScreeningResult.objects.visible_to(user)
        .filter(resident_id=person.pk)
        .exclude(status=LinkStatus.REVIEW)
    )
    rows = _person_feed_rows(FeedRow.objects.visible_to(user), person, results).select_related(
        "feed"
    )
    return tuple(
        HoldingsEntry(
            title=_("Feed row"),
            facts=fact_pairs(
                [
                    (_("Feed"), f"{row.feed.original_name} · {row.row_number}"),
                    (_("Name"), row.name),
                    (_("ID number"), row.id_number),
                    (_("Phone"), row.phone),
                    (_("Origin"), row.origin),
                    (_("Arrival date"), row.arrival_date),
                    (_("Train or flight"), row.train_or_flight),
                    (_("Seat"), row.seat),
                ]
            ),
        )
        for row in rows.order_by("pk")
    )


def person_holdings(*, user, person) -> list[HoldingsSection]:
    entries = (
        *timeline_entries(screening_events(user=user, resident=person)),
        *_feed_row_entries(user=user, person=person),
    )
    return [HoldingsSection(_("Data matching"), entries)] if entries else []


def person_erase(*, acting_user, person, reason: str) -> Erased:
    """Blank the name, numbers, train and seat of the feed rows that named the person and
    the train and seat copied into their discrepancies. Matches and discrepancies stay."""
    results = ScreeningResult.objects.filter(resident_id=person.pk)
    discrepancies = TravelDiscrepancy.objects.filter(resident_id=person.pk)
    feed_rows = _person_feed_rows(FeedRow.objects.all(), person, results) | FeedRow.objects.filter(
        pk__in=discrepancies.exclude(feed_row=None).values("feed_row")
    )
    kwargs = {"acting_user": acting_user, "reason": reason}
    return (
        anonymise_records(feed_rows.distinct(), FEED_ROW_BLANKS, **kwargs)
        + anonymise_records(discrepancies, DISCREPANCY_BLANKS, **kwargs)
        + Erased(results.count(), 0)
    )


HOLDINGS = PersonHoldings(
    name="screening",
    label=gettext_lazy("Data matching"),
    holdings=person_holdings,
    erase=person_erase,
    order=20,
)
