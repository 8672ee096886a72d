"""Mapping file columns to fields: normalised headings, synonyms and remembered choices."""

from __future__ import annotations

import re
import unicodedata

from django.db import transaction

from outpost.core.imports.base import RowImporter
from outpost.core.imports.headers import GROUP_SEPARATOR
from outpost.core.models import ImportColumnMemory

_DROP = re.compile(r"[\s*＊※:：#№.。、_\-]+")
_BRACKETED = re.compile(r"[(（\[【]([^)）\]】]*)[)）\]】]")


def normalise_heading(text: str) -> str:
    """``" 身份证\\n号码（必填）："`` → ``"身份证号码(必填)"``: full-width folded, spaces,
    line breaks, stars and colons dropped, lower case."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return _DROP.sub("", text).lower()


def heading_candidates(heading: str) -> list[str]:
    """What a heading may name, most specific first: the whole heading, it without its
    bracketed note, the note itself; for a grouped heading (``联系方式/手机``) the lower part."""
    parts = str(heading or "").split(GROUP_SEPARATOR)
    lower = parts[-1]
    candidates = []
    for text in (heading, lower) if len(parts) > 1 else (heading,):
        whole = normalise_heading(text)
        candidates.append(whole)
        stripped = _BRACKETED.sub("", whole)
        if stripped != whole:
            candidates.append(stripped)
            candidates.extend(m for m in _BRACKETED.findall(whole) if m)
    # A repeated heading ("住址 (2)") is the continuation of a merged cell, never a field.
    if re.search(r"\(\d+\)$", str(heading or "").strip()):
        return []
    return [c for c in candidates if c]


class ColumnDetector:
    """Which field a heading names, for one kind of import: remembered choices first, then
    the kind's synonyms."""

    def __init__(self, importer: type[RowImporter], remembered: dict[str, str] | None = None):
        # A heading may name several fields, first choice first ("证件号码": the ID number,
        # or a passport's number when another column holds the ID number).
        self.synonyms: dict[str, list[str]] = {}
        for f in importer.fields:
            for synonym in (f.name, *f.synonyms):
                names = self.synonyms.setdefault(normalise_heading(synonym), [])
                if f.name not in names:
                    names.append(f.name)
        names = set(importer.field_names())
        self.remembered = {h: f for h, f in (remembered or {}).items() if f in names}

    @classmethod
    def for_kind(cls, importer: type[RowImporter]) -> ColumnDetector:
        return cls(importer, remembered_headings(importer.kind))

    def choices(self, heading: str) -> list[str]:
        """The fields a heading may name, best first."""
        for candidate in heading_candidates(heading):
            if candidate in self.remembered:
                return [self.remembered[candidate]]
            if candidate in self.synonyms:
                return self.synonyms[candidate]
        return []

    def __call__(self, heading: str) -> str | None:
        choices = self.choices(heading)
        return choices[0] if choices else None


def detect_mapping(headings: list[str], detector: ColumnDetector) -> dict[str, str]:
    """``{column index: field}``. Exact names are placed first; a field goes to the first
    column that names it, and a heading that may name several fields takes the first one
    still free."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    choices = [detector.choices(h) if h else [] for h in headings]
    for single in (True, False):
        for index, options in enumerate(choices):
            if str(index) in mapping or not options or (single and len(options) > 1):
                continue
            name = next((n for n in options if n not in taken), None)
            if name:
                mapping[str(index)] = name
                taken.add(name)
    return mapping


def remembered_headings(kind: str) -> dict[str, str]:
    return dict(ImportColumnMemory.objects.filter(kind=kind).values_list("heading", "field"))


@transaction.atomic
def remember_mapping(kind: str, headings: list[str], mapping: dict[str, str]) -> None:
    """Remember the user's choice for each heading whose field differs from what the
    synonyms alone would say; forget remembered choices the user undid."""
    from outpost.core.imports.base import get_importer

    plain = ColumnDetector(get_importer(kind))
    for index, heading in enumerate(headings):
        key = normalise_heading(heading)
        if not key or heading_candidates(heading) == []:
            continue
        chosen = mapping.get(str(index), "")
        if chosen and chosen != plain(heading):
            ImportColumnMemory.objects.update_or_create(
                kind=kind, heading=key[:200], defaults={"field": chosen}
            )
        elif not chosen or chosen == plain(heading):
            ImportColumnMemory.objects.filter(kind=kind, heading=key[:200]).delete()
