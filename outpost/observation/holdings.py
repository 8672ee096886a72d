"""Observation's part of "what we hold about this person": their observation episodes and
alerts (from observation's timeline source) and every temperature check-in; and their
anonymisation. Registered in ``ready()``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outpost.core.subject_requests.holdings import (
    Erased,
    HoldingsEntry,
    HoldingsSection,
    PersonHoldings,
    anonymise_records,
    fact_pairs,
    moment_text,
    timeline_entries,
)
from outpost.keypersons.models import KeyPerson
from outpost.keypersons.timeline import key_persons_of
from outpost.observation.choices import Symptom
from outpost.observation.models import Alert, CheckIn, Episode, SelfReportLink
from outpost.observation.timeline import observation_events


def _check_in_entries(*, user, key_persons) -> tuple[HoldingsEntry, ...]:
    labels = dict(Symptom.choices)
    check_ins = (
        CheckIn.objects.visible_to(user)
        .filter(episode__key_person__in=key_persons)
        .order_by("taken_at", "pk")
    )
    return tuple(
        HoldingsEntry(
            title=_("Check-in"),
            at=moment_text(check_in.taken_at),
            facts=fact_pairs(
                [
                    (_("Temperature"), f"{check_in.temperature} °C"),
                    (_("Symptoms"), "、".join(str(labels.get(s, s)) for s in check_in.symptoms)),
                    (_("Entered"), check_in.get_source_display()),
                    (_("Note"), check_in.note),
                ]
            ),
        )
        for check_in in check_ins
    )


def person_holdings(*, user, person) -> list[HoldingsSection]:
    story = timeline_entries(observation_events(user=user, resident=person))
    if not story:
        return []
    key_persons = key_persons_of(user=user, resident=person)
    return [
        HoldingsSection(_("Medical observation"), story),
        HoldingsSection(
            _("Temperatures and symptoms"), _check_in_entries(user=user, key_persons=key_persons)
        ),
    ]


def person_erase(*, acting_user, person, reason: str) -> Erased:
    """Blank the free text of the person's episodes, check-ins and alerts and the name or
    number their self-report links were sent to. Temperatures, days and alerts stay: they
    are the site's figures."""
    key_persons = KeyPerson.objects.filter(resident_id=person.pk)
    episodes = Episode.objects.filter(key_person__in=key_persons)
    kwargs = {"acting_user": acting_user, "reason": reason}
    return (
        anonymise_records(episodes, {"end_note": ""}, **kwargs)
        + anonymise_records(CheckIn.objects.filter(episode__in=episodes), {"note": ""}, **kwargs)
        + anonymise_records(Alert.objects.filter(episode__in=episodes), {"note": ""}, **kwargs)
        + anonymise_records(
            SelfReportLink.objects.filter(episode__in=episodes), {"sent_to": ""}, **kwargs
        )
    )


HOLDINGS = PersonHoldings(
    name="observation",
    label=gettext_lazy("Medical observation"),
    holdings=person_holdings,
    erase=person_erase,
    order=50,
)
