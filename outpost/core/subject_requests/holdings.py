"""What Outpost holds about one person (个人信息持有情况), module by module.

Core knows no app, so each app registers in its ``AppConfig.ready()``:

- `register_person_holdings(PersonHoldings(...))`: `holdings(*, user, person)` gives the
  titled sections of every record of that app about the person that `user` may see (read
  through the app's scoped querysets, built on its timeline source where it has one), and
  `erase(*, acting_user, person, reason)` anonymises them (blanks the person's own
  identifying fields, keeps the rows, so every count and figure stays as it was) and
  returns what it did. One function per app: the retention job may share it.
- `register_person_finder(PersonFinder(...))` (the registry): how a person is searched for
  and looked up within a user's scope, and what identifies them.

In the document the person's own ID number and phone are in full (it is for them); anybody
else's (household members, team members) is masked, as on every page.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise

from outpost.core.audit import save_audited
from outpost.core.crypto.fields import with_derived_values
from outpost.core.models import AccessLog
from outpost.core.timeline import TimelineEvent

Label = str | Promise

# What an anonymised person's name becomes (a name cannot be empty on the pages).
ANONYMISED_NAME = "（已匿名）"


@dataclass(frozen=True)
class HoldingsEntry:
    """One record or event: a title, its moment in China time ("" for a standing record)
    and (label, value) pairs."""

    title: str
    at: str = ""
    facts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class HoldingsSection:
    title: str
    entries: tuple[HoldingsEntry, ...]


@dataclass(frozen=True)
class Erased:
    """What an app's anonymisation did: rows kept (anonymised) and personal fields blanked."""

    rows: int = 0
    fields: int = 0

    def __add__(self, other: Erased) -> Erased:
        return Erased(self.rows + other.rows, self.fields + other.fields)


@dataclass(frozen=True)
class PersonHoldings:
    """One app's part: its name, heading, `holdings(*, user, person)` and
    `erase(*, acting_user, person, reason)`, at `order` among the apps (lower first)."""

    name: str
    label: Label
    holdings: Callable[..., list[HoldingsSection]]
    erase: Callable[..., Erased]
    order: int


@dataclass(frozen=True)
class FoundPerson:
    """A person as a request names them: their record's id, name, masked ID number, unit."""

    pk: int
    name: str
    masked_id: str
    unit: object
    url: str = ""


@dataclass(frozen=True)
class PersonFinder:
    """`search(*, user, query)`: the people of the user's scope a query finds (name, last
    four digits, full ID number or phone), as `FoundPerson`s; `get(*, user, pk, action)`:
    the person's record within the user's scope (a 404 otherwise); `describe(person)`:
    their `FoundPerson`."""

    search: Callable[..., list[FoundPerson]]
    get: Callable[..., object]
    describe: Callable[[object], FoundPerson]


_HOLDINGS: dict[str, PersonHoldings] = {}
_FINDER: list[PersonFinder] = []


def register_person_holdings(part: PersonHoldings) -> None:
    """Add an app's holdings and anonymisation. Call from ``AppConfig.ready()``."""
    _HOLDINGS[part.name] = part  # by name: ready() may run twice in tests


def register_person_finder(finder: PersonFinder) -> None:
    """Set how people are found (the registry). Call from ``AppConfig.ready()``."""
    _FINDER[:] = [finder]


def registered_holdings() -> list[PersonHoldings]:
    return sorted(_HOLDINGS.values(), key=lambda part: part.order)


def person_finder() -> PersonFinder:
    if not _FINDER:
        raise LookupError("no app registers a person finder")
    return _FINDER[0]


# ---------------------------------------------------------------------------- formatting


def moment_text(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def day_text(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def fact_pairs(pairs: Iterable[tuple[Label, object]]) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs as text, leaving out empty values."""
    shown = []
    for label, value in pairs:
        if isinstance(value, datetime.datetime):
            value = moment_text(value)
        elif isinstance(value, datetime.date):
            value = day_text(value)
        text = "" if value is None else str(value)
        if text:
            shown.append((str(label), text))
    return tuple(shown)


def timeline_entries(events: Iterable[TimelineEvent]) -> tuple[HoldingsEntry, ...]:
    """A person's timeline events (an app's registered timeline source) as entries of the
    document, oldest first: the story is told once, by the timeline code."""
    entries = []
    for event in sorted(events, key=lambda event: (event.at, event.order)):
        at = (
            day_text(timezone.localtime(event.at).date())
            if event.day_only
            else moment_text(event.at)
        )
        entries.append(
            HoldingsEntry(
                title=f"{event.kind_label} · {event.title}", at=at, facts=fact_pairs(event.facts)
            )
        )
    return tuple(entries)


# ---------------------------------------------------------------------------- reading


def person_holdings(*, user, person) -> list[HoldingsSection]:
    """Every registered app's sections about `person`, in order, as `user` may see them."""
    sections: list[HoldingsSection] = []
    for part in registered_holdings():
        sections.extend(section for section in part.holdings(user=user, person=person))
    return sections


# ---------------------------------------------------------------------------- anonymising


def anonymise_record(
    instance: models.Model, blanks: dict[str, object], *, acting_user, reason: str
) -> int:
    """Blank the given fields of one record (`blanks`: field -> its blank value), through
    an audited save whose history row names the reason, and blank them in every earlier
    version of the record's history and in the access log's subject of the record too: an
    anonymised person must not live on in the trail. Returns how many fields held a value."""
    changed = [name for name, blank in blanks.items() if getattr(instance, name) != blank]
    for name in changed:
        setattr(instance, name, blanks[name])
    if changed:
        save_audited(instance, acting_user=acting_user, update_fields=changed, reason=reason)
    history = getattr(type(instance), "history", None)
    if history is not None:
        # With the indexes an encrypted field derives (the plain manager skips them).
        history.model.objects.filter(id=instance.pk).update(
            **with_derived_values(history.model, blanks)
        )
    AccessLog.objects.filter(model_label=instance._meta.label, object_id=str(instance.pk)).update(
        subject=ANONYMISED_NAME
    )
    return len(changed)


def anonymise_records(records: Iterable[models.Model], blanks: dict, **kwargs) -> Erased:
    """`anonymise_record` of each record: rows kept, fields blanked."""
    total = Erased()
    for record in records:
        total += Erased(1, anonymise_record(record, blanks, **kwargs))
    return total


def person_erase(*, acting_user, person, reason: str) -> dict[str, dict[str, int]]:
    """Every registered app's anonymisation of `person`: per app, rows kept and fields
    blanked. The apps above the registry go first: they find the person's rows by the
    numbers the registry blanks last. The caller holds the transaction."""
    counts = {}
    for part in reversed(registered_holdings()):
        erased = part.erase(acting_user=acting_user, person=person, reason=reason)
        counts[part.name] = {"rows": erased.rows, "fields": erased.fields}
    return counts
