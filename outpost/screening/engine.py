"""The matching engine (大数据分析·比对): link arrival-feed rows to registry residents.

Pure: no Django models, no database of the registry. The caller passes the residents and the
feed as columnar data and gets a :class:`MatchResult`. The heavy work (normalisation of IDs and
phones, exact joins, one-edit ID candidates) runs in DuckDB SQL; name similarity (pinyin-aware)
is computed in Python, only on candidate pairs and once per distinct pair of names.

Input shapes
------------
``residents``: columns ``resident_id, name, id_number, phone, birth_date``.
``feed_rows``: columns ``row_id, name, id_number, phone, birth_date`` (birth_date may be None).

Each is a :class:`ResidentColumns` / :class:`FeedColumns`, a mapping ``column name ->
sequence`` with the same columns (equal lengths), or a
``duckdb.DuckDBPyRelation`` made on the connection passed as ``con`` (e.g. ``con.read_csv``
for a feed of millions of rows, which avoids converting Python objects). IDs, phones and names
are normalised here (raw feed text is fine); ``birth_date`` must be a ``datetime.date`` or None
(see :func:`parse_feed_date` for text dates).

Rules, in order (the first rule that yields a confirmed candidate decides)
-------------------------------------------------------------------------
1. ``id_exact``: the normalised ID equals the resident's. Auto.
2. ``id_one_edit``: one wrong digit, two adjacent characters swapped, or a wrong check
   character, confirmed by the exact phone or a name score >= 90. Auto when the phone
   confirms, review when only the name does. Only IDs that fail the GB 11643 check
   character can be one edit away from a valid ID (MOD 11-2 detects every single substitution
   and adjacent transposition), so the one-edit variants (as base-11 integers) are generated
   only for IDs with a wrong check character, on either side, and joined exactly.
3. ``phone``: the exact normalised phone, name score >= 90 auto, 60-90 review.
4. ``name_birth_date``: name score >= 90 and the same birth date. Review, except a single
   candidate with the exact (normalised) Chinese name, which is auto.

Rules 3 and 4 never link a feed row and a resident that both carry a valid ID that differs:
they are different people. Several candidates with the same best score go to review with all
of them as candidates (``resident_id`` None), never auto.

Decisions
---------
``decisions`` maps a feed row's :func:`identity_key` to a resident_id (accepted: the link is
returned with status ``decided``) or to :data:`REJECTED` (every candidate of the row is
rejected). A key ``(identity_key, resident_id)`` mapped to :data:`REJECTED` rejects that one
candidate; the row's other candidates are still considered, but only for review: a row that
was ambiguous once is never auto-linked afterwards.

Row and resident ids come back as given when they are all ints (BIGINT) or from a relation;
otherwise they come back as ``str``.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import duckdb
from django.core.exceptions import ValidationError
from rapidfuzz import fuzz

from outpost.core.validators import (
    ID_WEIGHTS,
    normalize_id_number,
    normalize_phone,
    validate_id_number,
)

__all__ = [
    "REJECTED",
    "Candidate",
    "FeedColumns",
    "Link",
    "MatchResult",
    "ResidentColumns",
    "identity_key",
    "match_feed",
    "name_similarity",
    "normalize_name",
    "parse_feed_date",
]

RESIDENT_COLUMNS = ("resident_id", "name", "id_number", "phone", "birth_date")
FEED_COLUMNS = ("row_id", "name", "id_number", "phone", "birth_date")

RULE_ID_EXACT = "id_exact"
RULE_ID_ONE_EDIT = "id_one_edit"
RULE_PHONE = "phone"
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
    links: list[Link]
    unmatched: list[Any]  # row_ids of feed rows without any link
    timings: dict[str, float] = field(default_factory=dict)

    def by_row(self) -> dict[Any, Link]:
        return {link.row_id: link for link in self.links}


# ---------------------------------------------------------------------------- names

# Full-width ASCII (U+FF01-U+FF5E) to half-width, ideographic space dropped below.
_FULL_TO_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Name separators written in many ways: middle dot, bullet, katakana middle dot, full stop,
# hyphenation point; all become "·" in the normalised name and vanish in the comparison key.
_SEPARATORS = "·•・.．‧∙⋅"
_SEPARATOR_RE = re.compile("[" + re.escape(_SEPARATORS) + "]+")
_SPACE_RE = re.compile(r"\s+")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Surnames read differently from the character's common reading.
SURNAME_READINGS = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "单": ("shan",),
    "解": ("xie",),
    "区": ("ou",),
    "仇": ("qiu",),
    "查": ("zha",),
    "曾": ("zeng",),
    "朴": ("piao",),
    "乐": ("yue",),
    "秘": ("bi",),
    "种": ("chong",),
    "盖": ("ge",),
    "缪": ("miao",),
    "覃": ("qin",),
    "翟": ("zhai",),
    "员": ("yun",),
    "繁": ("po",),
    "召": ("shao",),
    "宿": ("su",),
    "那": ("na",),
    "佴": ("nai",),
}


def normalize_name(raw: str | None) -> str:
    """Spaces dropped, full-width to half-width, separators unified to ``·``, Latin lower-cased."""
    if not raw:
        return ""
    value = _SPACE_RE.sub("", str(raw).translate(_FULL_TO_HALF).replace("\u3000", ""))
    value = _SEPARATOR_RE.sub("·", value).strip("·")
    return value.lower()


def name_key(raw: str | None) -> str:
    """The comparison key: the normalised name without separators (买买提·艾力 == 买买提艾力)."""
    return normalize_name(raw).replace("·", "")


@lru_cache(maxsize=1)
def _pinyin_dict() -> dict[int, str]:
    from pypinyin.pinyin_dict import pinyin_dict

    return pinyin_dict


@lru_cache(maxsize=50_000)
def _char_reading(ch: str) -> tuple[str, ...]:
    """Toneless readings of one character from pypinyin's dictionary, most common first.

    Per-character lookups instead of ``pypinyin.pinyin(..., heteronym=True)`` per name: a name
    has no phrase context worth segmenting, and this is ~100x faster."""
    readings = _pinyin_dict().get(ord(ch))
    if not readings:
        return (ch,)
    toneless: list[str] = []
    for reading in readings.split(","):
        plain = "".join(
            c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c)
        )
        if plain not in toneless:
            toneless.append(plain)
    return tuple(toneless)


def _surname_readings(key: str) -> tuple[str, ...]:
    for length in (2, 1):
        surname = key[:length]
        if len(key) > length and surname in SURNAME_READINGS:
            return SURNAME_READINGS[surname]
    return ()


@lru_cache(maxsize=500_000)
def _readings(key: str) -> tuple[frozenset[str], ...]:
    """Per character, every toneless reading (heteronyms and surname readings included)."""
    result = [frozenset(_char_reading(ch)) for ch in key]
    for i, reading in enumerate(_surname_readings(key)):
        result[i] = result[i] | {reading}
    return tuple(result)


@lru_cache(maxsize=500_000)
def _primary_pinyin(key: str) -> str:
    """The name in pinyin, surnames in their surname reading (单 shan, 尉迟 yu chi)."""
    syllables = [_char_reading(ch)[0] for ch in key]
    surname = _surname_readings(key)
    syllables[: len(surname)] = surname
    return " ".join(syllables)


def _name_similarity_keys(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    if len(a) == len(b):
        ra, rb = _readings(a), _readings(b)
        if all(x & y for x, y in zip(ra, rb, strict=True)):
            return 95.0  # homophones: 张伟 / 章伟, 单 read shan / 善
    char_score = fuzz.ratio(a, b)
    pinyin_score = 0.9 * fuzz.ratio(_primary_pinyin(a), _primary_pinyin(b))
    return float(min(94.0, max(char_score, pinyin_score)))


def name_similarity(a: str | None, b: str | None) -> float:
    """0-100. 100 for the same normalised name, 95 for homophones (heteronyms and surname
    readings considered), otherwise the better of the character and the pinyin similarity."""
    return _name_similarity_keys(name_key(a), name_key(b))


# ---------------------------------------------------------------------------- dates and keys

_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_feed_date(raw: Any) -> datetime.date | None:
    """A date from what feeds contain: ``2020-01-23``, ``2020/1/23``, ``2020年1月23日``,
    ``20200123``, an Excel serial (43853), a date or datetime. None when blank or unreadable."""
    if raw is None:
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        serial = int(raw)
        return _EXCEL_EPOCH + datetime.timedelta(days=serial) if 1 <= serial < 100_000 else None
    text = str(raw).strip().translate(_FULL_TO_HALF)
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        if match := pattern.fullmatch(text):
            try:
                return datetime.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    if re.fullmatch(r"\d{1,5}(\.0+)?", text):
        return parse_feed_date(int(float(text)))
    return None


def normalize_feed_id(raw: Any) -> tuple[str, bool]:
    """(normalised ID, valid). 15-digit IDs are upgraded; invalid ones keep their text."""
    value = normalize_id_number(raw)
    if not value:
        return "", False
    try:
        return validate_id_number(value), True
    except ValidationError:
        return value, False


def identity_key(id_number: Any, phone: Any, name: Any, birth_date: datetime.date | None) -> str:
    """Stable key of a feed row: md5 of its normalised (ID, phone, name, birth date).

    The same as the engine computes in SQL; a decision stored under it applies to every row of
    any later feed that carries the same data. ``birth_date`` is the date as given by the feed
    (not derived from the ID)."""
    id_norm, _ = normalize_feed_id(id_number)
    phone_norm = normalize_phone(phone) if phone else ""
    date_text = birth_date.isoformat() if birth_date else ""
    text = "|".join((id_norm, phone_norm, name_key(name), date_text))
    return hashlib.md5(text.encode()).hexdigest()


# ---------------------------------------------------------------------------- SQL pieces


def _id_digits_sql(col: str) -> tuple[str, str]:
    """(first 17 digits as BIGINT, check character as 0-10) of an ID shaped like one."""
    shaped = f"regexp_full_match({col}, '[0-9]{{17}}[0-9X]')"
    x17 = f"CASE WHEN {shaped} THEN substr({col}, 1, 17)::BIGINT END"
    chk = f"CASE WHEN {shaped} THEN (CASE WHEN substr({col}, 18, 1) = 'X' THEN 10 ELSE ascii(substr({col}, 18, 1)) - 48 END) END"
    return x17, chk


def _checksum_ok_sql(x17: str, chk: str) -> str:
    """ISO 7064 MOD 11-2: character '10X98765432'[sum % 11], i.e. sum % 11 == (12 - c) % 11."""
    terms = " + ".join(
        f"(({x17} // {10 ** (16 - k)}) % 10) * {w}" for k, w in enumerate(ID_WEIGHTS)
    )
    return f"coalesce(({terms}) % 11 = (12 - {chk}) % 11, false)"


def _base11_sql(x17: str, chk: str) -> str:
    """An 18-character ID as one BIGINT in base 11, X = 10 (11**18 < 2**63)."""
    terms = " + ".join(f"(({x17} // {10 ** (16 - k)}) % 10) * {11 ** (17 - k)}" for k in range(17))
    return f"{terms} + {chk}"


_HALF = "".join(chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F))
_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F))


def _name_key_sql(col: str) -> str:
    """SQL twin of :func:`name_key` (kept identical: see the tests); pure CJK names as they are."""
    full, half = _FULL.replace("'", "''"), _HALF.replace("'", "''")
    drop = "[\\s\u3000\u00a0" + re.escape(_SEPARATORS + "·") + "]+"
    return (
        f"CASE WHEN {col} IS NULL THEN '' "
        f"WHEN regexp_full_match({col}, '[\u4e00-\u9fff]+') THEN {col} "
        f"ELSE lower(regexp_replace(translate({col}, '{full}', '{half}'), '{drop}', '', 'g')) END"
    )


def _load(con, rel_or_columns, columns: Sequence[str], table: str) -> None:
    if isinstance(rel_or_columns, duckdb.DuckDBPyRelation):
        con.register(f"{table}_src", rel_or_columns)
        key_col = columns[0]
        select = f"{key_col}, name::VARCHAR AS name, id_number::VARCHAR AS id_number, "
        select += "phone::VARCHAR AS phone, birth_date::DATE AS birth_date"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {select} FROM {table}_src")
        return
    data = rel_or_columns
    if isinstance(data, ResidentColumns | FeedColumns):
        data = {name: getattr(data, name) for name in data.__slots__}
    missing = [c for c in columns if c not in data]
    if missing:
        raise ValueError(f"{table}: missing columns {', '.join(missing)}")
    lengths = {len(data[c]) for c in columns}
    if len(lengths) > 1:
        raise ValueError(f"{table}: columns of different lengths")
    if lengths == {0}:
        casts = ", ".join(
            f"NULL::{'DATE' if c == 'birth_date' else 'VARCHAR'} AS {c}" for c in columns
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {casts} LIMIT 0")
        return
    key_col = columns[0]
    keys = list(data[key_col])
    key_type = "BIGINT" if all(isinstance(k, int) for k in keys) else "VARCHAR"
    if key_type == "VARCHAR":
        keys = [str(k) for k in keys]
    text = {c: [None if v is None else str(v) for v in data[c]] for c in columns[1:4]}
    dates = list(data["birth_date"])
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS SELECT
            unnest($1::{key_type}[]) AS {key_col}, unnest($2::VARCHAR[]) AS name,
            unnest($3::VARCHAR[]) AS id_number, unnest($4::VARCHAR[]) AS phone,
            unnest($5::DATE[]) AS birth_date""",
        [keys, text["name"], text["id_number"], text["phone"], dates],
    )


def _prepare(con, table: str, key_col: str) -> None:
    """Normalise IDs/phones/names in SQL; odd IDs and phones go through the validators."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table}_odd_ids AS
        SELECT DISTINCT id_number AS raw FROM {table}
        WHERE id_number IS NOT NULL AND id_number <> ''
          AND NOT regexp_full_match(id_number, '[0-9]{{17}}[0-9X]')"""
    )
    odd_ids = [r[0] for r in con.execute(f"SELECT raw FROM {table}_odd_ids").fetchall()]
    id_map = [normalize_feed_id(raw)[0] for raw in odd_ids]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table}_id_map AS "
        "SELECT unnest($1::VARCHAR[]) AS raw, unnest($2::VARCHAR[]) AS norm",
        [odd_ids, id_map],
    )
    odd_phones = [
        r[0]
        for r in con.execute(
            f"""SELECT DISTINCT phone FROM {table} WHERE phone IS NOT NULL AND phone <> ''
            AND NOT regexp_full_match(phone, '1[0-9]{{10}}')"""
        ).fetchall()
    ]
    phone_map = [normalize_phone(raw) for raw in odd_phones]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table}_phone_map AS "
        "SELECT unnest($1::VARCHAR[]) AS raw, unnest($2::VARCHAR[]) AS norm",
        [odd_phones, phone_map],
    )
    x17, chk = _id_digits_sql("id_norm")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table}_n1 AS
        WITH t AS (
            SELECT t.rowid AS idx, t.{key_col} AS key,
                coalesce(im.norm, t.id_number, '') AS id_norm,
                coalesce(pm.norm, t.phone, '') AS phone_norm,
                {_name_key_sql("t.name")} AS name_key,
                t.birth_date AS given_birth_date
            FROM {table} t
            LEFT JOIN {table}_id_map im ON im.raw = t.id_number
            LEFT JOIN {table}_phone_map pm ON pm.raw = t.phone)
        SELECT *, {x17} AS x17, {chk} AS chk FROM t"""
    )
    # A second statement: DuckDB would otherwise inline x17/chk into every term below.
    ok = _checksum_ok_sql("x17", "chk")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table}_n AS
        SELECT * EXCLUDE (x17, chk), {ok} AS id_checksum_ok,
            coalesce(given_birth_date, CASE WHEN {ok}
                THEN try_strptime(substr(id_norm, 7, 8), '%Y%m%d')::DATE END) AS birth_date,
            {_base11_sql("x17", "chk")} AS id_v
        FROM {table}_n1"""
    )
    con.execute(f"DROP TABLE {table}_n1")


def _variants_sql(table: str) -> str:
    """One-edit variants of the base-11 IDs of rows whose check character is wrong."""
    pos = ", ".join(f"({k}, {11 ** (17 - k)}::BIGINT)" for k in range(18))
    return f"""
    WITH src AS (
        SELECT idx, id_v FROM {table}_n WHERE id_v IS NOT NULL AND NOT id_checksum_ok),
    p(k, w) AS (VALUES {pos}),
    digits AS (
        SELECT s.idx, s.id_v, p.k, p.w, (s.id_v // p.w) % 11 AS d FROM src s, p),
    subs AS (
        SELECT d.idx, d.id_v + (e.e - d.d) * d.w AS v,
            CASE WHEN d.k = 17 THEN 'check' ELSE 'digit' END AS edit
        FROM digits d, range(0, 11) e(e)
        WHERE e.e <> d.d AND (e.e < 10 OR d.k = 17)),
    swaps AS (
        SELECT a.idx, a.id_v + (b.d - a.d) * a.w + (a.d - b.d) * b.w AS v, 'swap' AS edit
        FROM digits a JOIN digits b ON a.idx = b.idx AND b.k = a.k + 1
        WHERE a.d <> b.d)
    SELECT * FROM subs UNION ALL SELECT * FROM swaps"""


# ---------------------------------------------------------------------------- the engine


def match_feed(
    residents: ResidentColumns | Mapping[str, Sequence] | duckdb.DuckDBPyRelation,
    feed_rows: FeedColumns | Mapping[str, Sequence] | duckdb.DuckDBPyRelation,
    decisions: Mapping[Any, Any] | None = None,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
) -> MatchResult:
    """Link each feed row to at most one resident (see the module docstring)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    own = con is None
    con = con or duckdb.connect()
    try:
        _load(con, residents, RESIDENT_COLUMNS, "res")
        _load(con, feed_rows, FEED_COLUMNS, "feed")
        timings["load"] = time.perf_counter() - started
        _prepare(con, "res", "resident_id")
        _prepare(con, "feed", "row_id")
        timings["normalise"] = time.perf_counter() - started
        pairs = _candidate_pairs(con)
        timings["sql_candidates"] = time.perf_counter() - started
        result = _decide(con, pairs, decisions or {})
        timings["decide"] = time.perf_counter() - started
        result.timings = timings
        return result
    finally:
        if own:
            con.close()


def _candidate_pairs(con) -> list[tuple]:
    conflict = "(f.id_checksum_ok AND r.id_checksum_ok AND f.id_norm <> r.id_norm)"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE exact AS SELECT f.idx AS fi, r.idx AS ri "
        "FROM feed_n f JOIN res_n r ON f.id_norm = r.id_norm WHERE f.id_norm <> ''"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE pairs AS
        WITH feed_edit AS (
            SELECT v.idx AS fi, r.idx AS ri, 2 AS rule, v.edit
            FROM ({_variants_sql("feed")}) v JOIN res_n r ON r.id_v = v.v),
        res_edit AS (
            SELECT f.idx AS fi, v.idx AS ri, 2 AS rule, v.edit
            FROM ({_variants_sql("res")}) v JOIN feed_n f ON f.id_v = v.v),
        rest AS MATERIALIZED (SELECT * FROM feed_n f WHERE NOT EXISTS (
            SELECT 1 FROM exact e WHERE e.fi = f.idx)),
        phone AS (
            SELECT f.idx AS fi, r.idx AS ri, 3 AS rule, '' AS edit
            FROM rest f JOIN res_n r ON f.phone_norm = r.phone_norm
            WHERE f.phone_norm <> '' AND NOT {conflict}),
        birth_no_feed_id AS (
            SELECT f.idx AS fi, r.idx AS ri, 4 AS rule, '' AS edit
            FROM (SELECT * FROM rest WHERE NOT id_checksum_ok AND name_key <> '') f
            JOIN res_n r ON f.birth_date = r.birth_date
            WHERE length(f.name_key) = length(r.name_key)),
        birth_no_res_id AS (
            SELECT f.idx AS fi, r.idx AS ri, 4 AS rule, '' AS edit
            FROM (SELECT * FROM rest WHERE id_checksum_ok AND name_key <> '') f
            JOIN (SELECT * FROM res_n WHERE NOT id_checksum_ok) r
              ON f.birth_date = r.birth_date
            WHERE length(f.name_key) = length(r.name_key))
        SELECT fi, ri, 1 AS rule, 'exact' AS edit FROM exact
        UNION ALL SELECT * FROM feed_edit UNION ALL SELECT * FROM res_edit
        UNION ALL SELECT * FROM phone UNION ALL SELECT * FROM birth_no_feed_id
        UNION ALL SELECT * FROM birth_no_res_id"""
    )
    return con.execute(
        """SELECT p.fi, p.ri, p.rule, p.edit, r.key, f.name_key, r.name_key,
            f.phone_norm <> '' AND f.phone_norm = r.phone_norm,
            f.birth_date IS NOT NULL AND f.birth_date = r.birth_date,
            f.id_norm <> '' AND f.id_norm = r.id_norm
        FROM pairs p JOIN feed_n f ON f.idx = p.fi JOIN res_n r ON r.idx = p.ri
        ORDER BY p.fi, p.rule"""
    ).fetchall()


def _agreed(name_score: float, phone_eq: bool, birth_eq: bool, id_eq: bool) -> tuple[str, ...]:
    fields = []
    if id_eq:
        fields.append("id_number")
    if name_score >= NAME_CONFIRMS:
        fields.append("name")
    if phone_eq:
        fields.append("phone")
    if birth_eq:
        fields.append("birth_date")
    return tuple(fields)


def _evaluate(rule: int, name_score: float, phone_eq: bool, exact_name: bool):
    """(rule name, score, status) of one candidate pair, or None when the rule is not met."""
    if rule == 1:
        return RULE_ID_EXACT, 100, AUTO
    if rule == 2:
        if phone_eq and name_score >= NAME_CONFIRMS:
            return RULE_ID_ONE_EDIT, 95, AUTO
        if phone_eq:
            return RULE_ID_ONE_EDIT, 90, AUTO
        if name_score >= NAME_CONFIRMS:
            return RULE_ID_ONE_EDIT, 80 + round(name_score / 10), REVIEW
        return None
    if rule == 3:
        if name_score >= NAME_CONFIRMS:
            return RULE_PHONE, 45 + round(name_score / 2), AUTO
        if name_score >= NAME_REVIEW:
            return RULE_PHONE, 45 + round(name_score / 2), REVIEW
        return None
    if name_score >= NAME_CONFIRMS:  # rule 4; auto only when unique and exact (see caller)
        return RULE_NAME_BIRTH_DATE, 40 + round(name_score / 2), AUTO if exact_name else REVIEW
    return None


def _decide(con, pairs: list[tuple], decisions: Mapping[Any, Any]) -> MatchResult:
    gc_was_enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of small tuples: the collector would cost seconds
    try:
        return _decide_rows(con, pairs, decisions)
    finally:
        if gc_was_enabled:
            gc.enable()


def _decide_rows(con, pairs: list[tuple], decisions: Mapping[Any, Any]) -> MatchResult:
    score_cache: dict[tuple[str, str], float] = {}
    # Candidates per feed row and rule: {fi: {rule: [(score, status, Candidate)]}}
    per_row: dict[int, dict[int, list]] = {}
    for fi, _ri, rule, edit, rid, fname, rname, phone_eq, birth_eq, id_eq in pairs:
        pair = (fname, rname)
        name_score = score_cache.get(pair)
        if name_score is None:
            name_score = score_cache[pair] = _name_similarity_keys(fname, rname)
        exact_name = bool(fname) and fname == rname and bool(_CJK_RE.search(fname))
        verdict = _evaluate(rule, name_score, phone_eq, exact_name)
        if verdict is None:
            continue
        rule_name, score, status = verdict
        candidate = Candidate(rid, score, _agreed(name_score, phone_eq, birth_eq, id_eq))
        option = (score, status, rule_name, candidate, edit if rule == 2 else "")
        per_row.setdefault(fi, {}).setdefault(rule, []).append(option)

    # Identity keys of the rows with candidates or with a decision.
    decided_keys = {k for k in decisions if isinstance(k, str) and decisions[k] is not REJECTED}
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cand_rows AS SELECT unnest($1::BIGINT[]) AS idx",
        [list(per_row)],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE decided_keys AS SELECT unnest($1::VARCHAR[]) AS k",
        [sorted(decided_keys)],
    )
    key_sql = (
        "md5(concat_ws('|', f.id_norm, f.phone_norm, f.name_key, "
        "coalesce(strftime(f.given_birth_date, '%Y-%m-%d'), '')))"
    )
    rows = con.execute(
        f"""WITH keyed AS (
            SELECT f.idx, f.key, {key_sql} AS ik FROM feed_n f
            WHERE f.idx IN (SELECT idx FROM cand_rows)
               OR (SELECT count(*) FROM decided_keys) > 0)
        SELECT idx, key, ik FROM keyed
        WHERE idx IN (SELECT idx FROM cand_rows) OR ik IN (SELECT k FROM decided_keys)"""
    ).fetchall()

    links: list[tuple[int, Link]] = []
    linked: set[int] = set()
    for fi, row_id, ik in rows:
        decision = decisions.get(ik)
        if decision is REJECTED:
            continue
        by_rule = per_row.get(fi, {})
        chosen = None
        for rule in sorted(by_rule):
            options = [
                o for o in by_rule[rule] if decisions.get((ik, o[3].resident_id)) is not REJECTED
            ]
            # Rule 4 is auto only for a unique candidate; a row with a rejected candidate
            # was ambiguous once: what remains of it is reviewed again, never auto.
            if (rule == 4 and len(by_rule[rule]) > 1) or len(options) < len(by_rule[rule]):
                options = [(o[0], REVIEW, *o[2:]) for o in options]
            if options:
                chosen = options
                break
        if decision is not None:
            match = [o for o in (chosen or []) if o[3].resident_id == decision]
            for rule in sorted(by_rule):
                match = match or [o for o in by_rule[rule] if o[3].resident_id == decision]
            if match:
                score, _status, rule_name, cand, detail = match[0]
            else:
                score, rule_name, detail = 100, RULE_DECISION, ""
                cand = Candidate(decision, 100, ())
            link = Link(
                row_id, decision, rule_name, score, cand.agreed_fields, DECIDED, ik, (cand,), detail
            )
            links.append((fi, link))
            linked.add(fi)
            continue
        if not chosen:
            continue
        # Several candidates of one resident (e.g. phone and birth date) count once.
        best_by_resident: dict[Any, tuple] = {}
        for option in chosen:
            rid = option[3].resident_id
            if rid not in best_by_resident or option[0] > best_by_resident[rid][0]:
                best_by_resident[rid] = option
        top = max(o[0] for o in best_by_resident.values())
        tied = [o for o in best_by_resident.values() if o[0] == top]
        if len(tied) == 1:
            score, status, rule_name, cand, detail = tied[0]
            link = Link(
                row_id,
                cand.resident_id,
                rule_name,
                score,
                cand.agreed_fields,
                status,
                ik,
                (cand,),
                detail,
            )
            links.append((fi, link))
        else:
            cands = tuple(sorted((o[3] for o in tied), key=lambda c: str(c.resident_id)))
            links.append((fi, Link(row_id, None, tied[0][2], top, (), REVIEW, ik, cands)))
        linked.add(fi)

    con.execute(
        "CREATE OR REPLACE TEMP TABLE linked_rows AS SELECT unnest($1::BIGINT[]) AS idx",
        [sorted(linked)],
    )
    unmatched = [
        r[0]
        for r in con.execute(
            "SELECT key FROM feed_n WHERE idx NOT IN (SELECT idx FROM linked_rows) ORDER BY idx"
        ).fetchall()
    ]
    links.sort(key=lambda pair: pair[0])
    return MatchResult(links=[link for _fi, link in links], unmatched=unmatched)
