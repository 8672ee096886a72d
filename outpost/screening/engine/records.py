"""What the engine takes and gives: the columns of each side, links, candidates, rule
names and statuses (比对结果)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

RESIDENT_COLUMNS = ("resident_id", "name", "id_number", "phone", "birth_date")
FEED_COLUMNS = ("row_id", "name", "id_number", "phone", "birth_date")

RULE_ID_EXACT = "id_exact"
RULE_ID_ONE_EDIT = "id_one_edit"
RULE_PHONE = "phone"
RULE_PHONE_ONE_EDIT = "phone_one_edit"
RULE_NAME_BIRTH_DATE = "name_birth_date"
RULE_DECISION = "decision"  # an accepted decision for a row no rule proposes any more

AUTO = "auto"
REVIEW = "review"
DECIDED = "decided"

NAME_CONFIRMS = 90.0  # a name score at least this confirms an ID one edit away / auto on phone
NAME_REVIEW = 60.0  # rule 3: below this a shared phone is not a match


class _Rejected:
    def __repr__(self) -> str:
        return "REJECTED"


REJECTED: Any = _Rejected()


@dataclass(slots=True)
class ResidentColumns:
    """The registry side, column by column (equal lengths). IDs canonical 18 characters or ''
    (they are normalised again anyway), phones normalised or ''."""

    resident_id: Sequence[Any]
    name: Sequence[str]
    id_number: Sequence[str]
    phone: Sequence[str]
    birth_date: Sequence[datetime.date | None]


@dataclass(slots=True)
class FeedColumns:
    """The feed side, column by column (equal lengths); raw text is fine for ID and phone."""

    row_id: Sequence[Any]
    name: Sequence[str | None]
    id_number: Sequence[str | None]
    phone: Sequence[str | None]
    birth_date: Sequence[datetime.date | None]


@dataclass(frozen=True, slots=True)
class Candidate:
    resident_id: Any
    score: int
    agreed_fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """At most one per feed row. ``resident_id`` is None when several candidates tie."""

    row_id: Any
    resident_id: Any
    rule: str
    score: int  # 0-100
    agreed_fields: tuple[str, ...]
    status: str  # "auto", "review" or "decided"
    identity_key: str
    candidates: tuple[Candidate, ...]  # the linked one, or all tied ones
    detail: str = ""  # rule 2: "digit", "swap" or "check" (the kind of ID edit)


@dataclass(slots=True)
class MatchResult:
    links: Sequence[Link]  # a list, or for many links a LinkRows (lazy)
    unmatched: Sequence[Any]  # row_ids of feed rows without any link (a list, or lazy)
    timings: dict[str, float] = field(default_factory=dict)

    def by_row(self) -> dict[Any, Link]:
        return {link.row_id: link for link in self.links}
