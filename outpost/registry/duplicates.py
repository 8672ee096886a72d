"""Likely duplicate persons in the registry (疑似重复人员).

Three rules, each answered by a few set-based queries over the user's scope, never by
comparing rows pairwise in Python:

* **same ID or document number** — the database keeps `id_number` unique, so an exact
  repeat cannot exist; what does exist is the same number written differently (``…x`` and
  ``…X``, stray spaces, full-width digits, an old 15-digit number) or filed under another
  document (an ID number entered as a passport or permit number). One query finds the
  rows whose number is not in canonical form, one the rows with a document number (few:
  children, foreigners); their canonical numbers (``identity.canonical_number``) are then
  looked up among the ID numbers.
* **same name and birth date** — one ``GROUP BY name, birth_date HAVING COUNT(*) > 1``.
* **same name and phone** — one ``GROUP BY name, phone HAVING COUNT(*) > 1``.

A group of two (nearly every group) gives its pair straight from ``MIN(id)``/``MAX(id)``;
only groups of three or more cost one more query, for all of them together. Only active
records that were not merged take part; both records of a pair are visible to the user.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from outpost.core.chunks import chunked
from outpost.registry.models import Resident

# Keys looked up per query with `IN (…)`; well under every database's parameter limit.
LOOKUP_CHUNK = 500


class MatchReason(models.TextChoices):
    """Why two records look like the same person."""

    SAME_ID = "same_id", _("Same ID or document number")  # 证件号码相同
    NAME_BIRTH_DATE = "name_birth_date", _("Same name and birth date")  # 姓名、出生日期相同
    NAME_PHONE = "name_phone", _("Same name and phone")  # 姓名、联系电话相同


REASON_ORDER = {reason: index for index, reason in enumerate(MatchReason.values)}


@dataclass(frozen=True)
class PairKey:
    """Two record ids (lower first) and the rules they match; `name` orders the list."""

    first_id: int
    second_id: int
    name: str
    reasons: tuple[str, ...]

    @property
    def reason_labels(self) -> list[str]:
        return [MatchReason(reason).label for reason in self.reasons]


@dataclass(frozen=True)
class DuplicatePair:
    first: Resident
    second: Resident
    reasons: tuple[str, ...]

    @property
    def reason_labels(self) -> list[str]:
        return [MatchReason(reason).label for reason in self.reasons]


def candidates(*, user, action: str = "view") -> QuerySet[Resident]:
    """The records that take part: the user's, active, not merged into another."""
    return Resident.objects.visible_to(user, action).filter(
        is_active=True, merged_into__isnull=True
    )


def duplicate_pair_keys(*, user, action: str = "view") -> list[PairKey]:
    """Every likely duplicate pair in the user's scope, ID matches first, then by name."""
    residents = candidates(user=user, action=action)
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    names: dict[tuple[int, int], str] = {}
    for reason, groups in (
        (MatchReason.SAME_ID, _same_number_groups(residents)),
        (MatchReason.NAME_BIRTH_DATE, _grouped(residents, "birth_date")),
        (MatchReason.NAME_PHONE, _grouped(residents, "phone")),
    ):
        for name, ids in groups:
            ordered = sorted(set(ids))
            for i, first in enumerate(ordered):
                for second in ordered[i + 1 :]:
                    found[(first, second)].add(reason.value)
                    names.setdefault((first, second), name)
    keys = [
        PairKey(
            first_id=first,
            second_id=second,
            name=names[(first, second)],
            reasons=tuple(sorted(reasons, key=REASON_ORDER.__getitem__)),
        )
        for (first, second), reasons in found.items()
    ]
    keys.sort(key=lambda k: (MatchReason.SAME_ID not in k.reasons, k.name, k.first_id))
    return keys


def duplicate_pairs(*, user, keys: Iterable[PairKey]) -> list[DuplicatePair]:
    """The records of the given pairs, in one query; pairs no longer visible are dropped."""
    keys = list(keys)
    ids = {k.first_id for k in keys} | {k.second_id for k in keys}
    records = (
        Resident.objects.visible_to(user).select_related("unit", "household").in_bulk(list(ids))
    )
    return [
        DuplicatePair(first=records[k.first_id], second=records[k.second_id], reasons=k.reasons)
        for k in keys
        if k.first_id in records and k.second_id in records
    ]


def duplicates_of(*, user, resident: Resident, action: str = "view") -> list[DuplicatePair]:
    """The likely duplicates of one record (for its merge screen), with the rules matched."""
    residents = candidates(user=user, action=action).exclude(pk=resident.pk)
    reasons: dict[int, set[str]] = defaultdict(set)
    # The same-number rule as for the whole list (a few cheap queries), kept to this record.
    with_self = Resident.objects.visible_to(user, action).filter(
        Q(is_active=True, merged_into__isnull=True) | Q(pk=resident.pk)
    )
    for _name, ids in _same_number_groups(with_self):
        if resident.pk in ids:
            for pk in ids:
                if pk != resident.pk:
                    reasons[pk].add(MatchReason.SAME_ID.value)
    if resident.birth_date:
        same_birth = residents.filter(name=resident.name, birth_date=resident.birth_date)
        for pk in same_birth.values_list("pk", flat=True):
            reasons[pk].add(MatchReason.NAME_BIRTH_DATE.value)
    if resident.phone:
        for pk in residents.filter(name=resident.name, phone=resident.phone).values_list(
            "pk", flat=True
        ):
            reasons[pk].add(MatchReason.NAME_PHONE.value)
    others = (
        Resident.objects.visible_to(user).select_related("unit", "household").in_bulk(list(reasons))
    )
    return [
        DuplicatePair(
            first=resident,
            second=others[pk],
            reasons=tuple(sorted(reasons[pk], key=REASON_ORDER.__getitem__)),
        )
        for pk in sorted(reasons)
        if pk in others
    ]


# ---------------------------------------------------------------------------- the rules


def _grouped(residents: QuerySet[Resident], field: str) -> list[tuple[str, list[int]]]:
    """(name, ids) of every group of records sharing the name and `field` (not blank)."""
    # An encrypted field is grouped by its blind index (core.crypto).
    field = {"phone": "phone_index"}.get(field, field)
    if field == "birth_date":
        present = residents.filter(birth_date__isnull=False)
    else:
        present = residents.exclude(**{field: ""})
    groups = list(
        present.order_by()
        .values("name", field)
        .annotate(n=Count("pk"), low=Min("pk"), high=Max("pk"))
        .filter(n__gt=1)
        .values_list("name", field, "n", "low", "high")
    )
    result = [(name, [low, high]) for name, _value, n, low, high in groups if n == 2]
    larger = {(name, value) for name, value, n, _low, _high in groups if n > 2}
    if larger:
        members: dict[tuple, list[int]] = defaultdict(list)
        names = sorted({name for name, _value in larger})
        for chunk in chunked(names, LOOKUP_CHUNK):
            rows = present.filter(name__in=chunk).order_by().values_list("pk", "name", field)
            for pk, name, value in rows:
                if (name, value) in larger:
                    members[(name, value)].append(pk)
        result.extend((name, ids) for (name, _value), ids in members.items())
    return result


def _same_number_groups(residents: QuerySet[Resident]) -> list[tuple[str, list[int]]]:
    """(name, ids) of records whose ID or document numbers are one number written apart."""
    holders: dict[str, dict[int, str]] = defaultdict(dict)  # key -> {pk: name}
    # Unordered: the default order by name would lead the planner to read every record
    # through the name index instead of the few it needs.
    residents = residents.order_by()
    # The numbers are encrypted: they are compared by their blind indexes (core.crypto),
    # the number as stored and its canonical form, equal exactly when the number is in
    # canonical form. ID numbers not in canonical form (the canonical ones are unique by
    # constraint) …
    off_form = (
        residents.exclude(id_number_index="")
        .exclude(id_canonical_index=F("id_number_index"))
        .values_list("pk", "name", "id_canonical_index")
    )
    # … and every document number (few records carry one), by their canonical keys.
    documents = residents.exclude(document_number_index="").values_list(
        "pk", "name", "document_canonical_index"
    )
    for rows in (off_form, documents):
        for pk, name, key in rows:
            if key:
                holders[key][pk] = name
    # Canonical ID numbers equal to one of those keys.
    keys = sorted(holders)
    for chunk in chunked(keys, LOOKUP_CHUNK):
        for pk, name, key in residents.filter(id_number_index__in=chunk).values_list(
            "pk", "name", "id_number_index"
        ):
            holders[key][pk] = name
    return [
        (next(iter(members.values())), list(members))
        for members in holders.values()
        if len(members) > 1
    ]


class DuplicateResidents(Sequence):
    """The records that have likely duplicates, by id, each with its matches (for the API).

    A slice loads only its own records (one query), so paginating costs one page.
    """

    def __init__(self, *, user, keys: Iterable[PairKey]):
        self.user = user
        self.matches: dict[int, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
        for key in keys:
            self.matches[key.first_id].append((key.second_id, key.reasons))
            self.matches[key.second_id].append((key.first_id, key.reasons))
        self.ids = sorted(self.matches)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        ids = self.ids[index]
        records = Resident.objects.visible_to(self.user).select_related("unit").in_bulk(ids)
        page = []
        for pk in ids:
            if pk in records:
                record = records[pk]
                record.duplicate_matches = [
                    {"id": other, "reasons": list(reasons)} for other, reasons in self.matches[pk]
                ]
                page.append(record)
        return page
