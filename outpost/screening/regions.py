"""Loading the GB/T 2260 regions shipped in ``data/regions.csv`` and reading place names.

`regions_load` takes the model class so that the data migration can pass its historical
model; it is idempotent (creates what is missing, updates what changed, removes nothing).
"""

from __future__ import annotations

import csv
from pathlib import Path

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions.csv"

# Longest first: 广西壮族自治区 → 广西, 恩施土家族苗族自治州 → 恩施土家族苗族 → kept as is.
_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "省",
    "市",
    "区",
    "县",
)


def region_alias(name: str) -> str:
    """The name without its administrative suffix (武汉市 → 武汉, 江夏区 → 江夏), or ""
    when nothing is left but one character (忠县 stays 忠县)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            rest = name[: -len(suffix)]
            return rest if len(rest) >= 2 else ""
    return ""


def read_regions(path: Path = REGIONS_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def regions_load(region_model, path: Path = REGIONS_CSV) -> tuple[int, int]:
    """Create or update every region of the file; returns (created, updated)."""
    rows = read_regions(path)
    existing = {r.code: r for r in region_model.objects.all()}
    created = []
    changed = set()
    for row in rows:
        values = {
            "name": row["name"],
            "level": row["level"],
            "alias": region_alias(row["name"]),
        }
        region = existing.get(row["code"])
        if region is None:
            region = region_model(code=row["code"], **values)
            created.append(region)
            existing[row["code"]] = region
        elif any(getattr(region, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(region, key, value)
            changed.add(region.code)
    region_model.objects.bulk_create(created, batch_size=500)
    if created:
        # Fetch the new primary keys (not every database returns them from bulk_create).
        existing = {r.code: r for r in region_model.objects.all()}
    for row in rows:
        region = existing[row["code"]]
        parent = existing.get(row["parent_code"]) if row["parent_code"] else None
        parent_id = parent.pk if parent else None
        if region.parent_id != parent_id:
            region.parent_id = parent_id
            changed.add(region.code)
    updated = [existing[code] for code in changed]
    region_model.objects.bulk_update(updated, ["name", "level", "alias", "parent"], batch_size=500)
    return len(created), len(changed - {r.code for r in created})


def region_codes_upwards(code: str) -> list[str]:
    """A code and the codes of the regions above it, most specific first (county → city →
    province): 420102 → [420102, 420100, 420000]."""
    code = (code or "")[:6]
    if len(code) != 6 or not code.isdigit():
        return []
    codes = [code, code[:4] + "00", code[:2] + "0000"]
    return list(dict.fromkeys(codes))


_DEPTH = {"province": 0, "city": 1, "county": 2}


class RegionIndex:
    """Finds the region a place written in a feed names (湖北省武汉市江汉区, 武汉, 湖北孝感),
    remembering each text it has seen. Built once per feed from (code, name, alias, level)."""

    def __init__(self, regions):
        self.by_key: dict[str, list[tuple[str, str]]] = {}
        self.longest = 2
        for code, name, alias, level in regions:
            for key in {name, alias} - {""}:
                if len(key) >= 2:
                    self.by_key.setdefault(key, []).append((code, level))
                    self.longest = max(self.longest, len(key))
        self.seen: dict[str, str] = {}

    @classmethod
    def from_database(cls) -> RegionIndex:
        from outpost.screening.models import Region

        return cls(Region.objects.values_list("code", "name", "alias", "level"))

    def code_for(self, text: str) -> str:
        """The code of the most specific region the text names without ambiguity, or ""."""
        text = "".join((text or "").split())
        if text in self.seen:
            return self.seen[text]
        found: set[tuple[str, str]] = set()
        for start in range(len(text)):
            for end in range(start + 2, min(len(text), start + self.longest) + 1):
                found.update(self.by_key.get(text[start:end], ()))
        code = ""
        for depth in (2, 1, 0):
            candidates = {c for c, level in found if _DEPTH[level] == depth}
            higher = {c for c, level in found if _DEPTH[level] < depth}
            if higher:
                consistent = {
                    c for c in candidates if any(c.startswith(h.rstrip("0")[:4]) for h in higher)
                }
                candidates = consistent or (candidates if depth == 0 else set())
            if len(candidates) == 1:
                code = candidates.pop()
                break
        self.seen[text] = code
        return code
