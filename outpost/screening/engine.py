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
sequence`` with the same columns (equal lengths), a ``pyarrow.Table``, or a
``duckdb.DuckDBPyRelation`` made on the connection passed as ``con`` (e.g. ``con.read_csv``
for a feed of millions of rows, which avoids converting Python objects), or the path of a
Parquet file with those columns (a screening run's residents and feed rows, exported by
``services.parquet``), read by DuckDB on the engine's connection. ``residents`` may also be
a function of no arguments that returns them (columns or a table, not a relation): it is
called in a thread while DuckDB reads the feed, so that work such as decrypting the
residents' IDs and phones (encryption at rest) overlaps the feed's reading. IDs, phones and
names are normalised here (raw feed text is fine); ``birth_date`` may be a ``datetime.date``, None,
or text (read in SQL as :func:`parse_feed_date` reads it), and the feed may lack the column.

Rules, in order (the first rule that yields a confirmed candidate decides)
-------------------------------------------------------------------------
Auto only where two independent fields agree beyond doubt; one weak field (a similar name, a
household's shared phone) is at most a review, and evidence against (another ID shaped like
one, another birth date) turns what would be auto into a review.

1. ``id_exact``: the normalised ID equals the resident's (15-digit IDs upgraded). Auto.
2. ``id_one_edit``: one wrong digit, two adjacent characters swapped, or a wrong check
   character. Auto when the phone is the same, when the name is exact (and no other birth
   date is given), or when the name confirms (score >= 90, e.g. a homophone) and the birth
   date is the same (given, or the ID's own when the edit is not in its date digits);
   review when only the name confirms. Only IDs that fail the GB 11643 check
   character can be one edit away from a valid ID (MOD 11-2 detects every single substitution
   and adjacent transposition), so the one-edit variants (as text) are generated
   only for IDs with a wrong check character, on either side, and joined exactly (plus the
   one unshaped case: the last digit swapped with an X check character). An ID two edits
   away is no ID rule: at most a review under rules 3-5.
3. ``phone``: the exact normalised phone. Name score >= 90 auto. A household's phone
   (carried by several residents) needs the name of one of them: a similar name on it (the
   family's surname, another given name) is no link, unless the birth date agrees too
   (review). A phone of one resident: the name with a middle character more or less
   (张伟 / 张小伟) auto, other names scoring 60-90 review.
4. ``phone_one_edit``: the same name (key) and a phone one edit away (a wrong digit, two
   adjacent digits swapped), no other birth date. Auto (review when the feed's ID is not
   the resident's).
5. ``name_birth_date``: name score >= 90 and the same birth date. Review, except a single
   candidate with the exact (normalised) Chinese name, no phone and no ID against it, which
   is auto.

Names are compared by their key: separators in any form (·, •, ・, ., spaces) dropped,
full-width folded, traditional characters of names simplified (a curated table); scores
are pinyin-aware (homophones 95), and a given name written first (伟张) scores 92.
Birth dates may be dates or text in the formats feeds use (2020-01-23, 2020/1/23,
20200123, 2020年1月23日, 2020.01.23, an Excel serial); a feed may have no birth date column.

Rules 3-5 never link a feed row and a resident that both carry a valid ID that differs:
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
otherwise they come back as ``str``. ``MatchResult.unmatched`` is a list, or for more than
:data:`EAGER_UNMATCHED` rows an :class:`UnmatchedRows` sequence that fetches the ids on first
use (``len()`` is free). ``MatchResult.links`` is a list, or for more than :data:`EAGER_LINKS`
links a :class:`LinkRows` sequence that keeps them as Arrow and makes the Link objects as it
is iterated: the candidate pairs are streamed from DuckDB a batch at a time, so that a city's
millions of links never are all Python objects at once.

Cost
----
Every feed row is touched by a few SQL passes only: one that reads and normalises (IDs and
phones in canonical or common forms in SQL; the rest, once per distinct value, by the
validators), one for the check character of 18-character IDs, and hash joins on ID, phone and
birth date. Name similarity (Python) runs once per distinct pair of names, and only on the
candidates that need it: for rule 5 SQL first keeps the pairs with the same name or (names of
up to 9 characters) a reading in common at every position (pypinyin's readings per
character), which is exactly when the score can reach 90.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import importlib.util
import itertools
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from django.core.exceptions import ValidationError
from rapidfuzz import fuzz

from outpost.core.identity import (
    ID_WEIGHTS,
    PROVINCE_CODES,
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
    links: list[Link]
    unmatched: Sequence[Any]  # row_ids of feed rows without any link (a list, or lazy)
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


# Traditional (and old variant) forms of characters common in names, and their simplified
# form: 陳偉 and 陈伟 are one name written two ways (a curated table: the characters of the
# commonest surnames and given names; a character missing here still scores as a homophone).
_TRADITIONAL = (
    "陳張劉楊黃趙吳孫馬鄭馮鄧葉蘇許謝韓羅鍾盧蔣呂賈閻餘範譚鄒陸錢湯喬賀賴龔顧萬龍蕭魯"
    "韋薑鄔鄺闕歐陽嚴廬聶齊師閔竇偉華紅軍傑濤靜強豔麗寧曉鳳蘭榮鵬飛東國峯雲嬌愛長輝剛"
    "慶穎瑩潔雙貴寶財興順義禮廣業學書詩蓮環瓊綠藝賢聰儀燦煒鋒銘錦鈞鐵淩瀟漢聖從衛達遠"
    "連進運邁遜軒濱澤濟滿瀾潤銀鍇鐘閣闖韻頌顏願風驍鴻鵑鶴鸝齡琿璣瑋煥熾爾牆獻琺瑤璦礎"
    "祿禎穩紋純紗紹絲維綺緯縉繼纓總績繡羨習翹聞莊萊蔭蕓藍蘆蟬襲覺詠誠調諾謙譽讓豐貞賓"
    "贇軼輪轉農邊郵鄰釗鈺銳鋼錫鎮鏡鑒門閃閩陣隨雋雞電靈韜頤頻題額飄館駿騰驕體鬆鳴鶯麥"
    "點齋"
)
_SIMPLIFIED = (
    "陈张刘杨黄赵吴孙马郑冯邓叶苏许谢韩罗钟卢蒋吕贾阎余范谭邹陆钱汤乔贺赖龚顾万龙萧鲁"
    "韦姜邬邝阙欧阳严庐聂齐师闵窦伟华红军杰涛静强艳丽宁晓凤兰荣鹏飞东国峰云娇爱长辉刚"
    "庆颖莹洁双贵宝财兴顺义礼广业学书诗莲环琼绿艺贤聪仪灿炜锋铭锦钧铁凌潇汉圣从卫达远"
    "连进运迈逊轩滨泽济满澜润银锴钟阁闯韵颂颜愿风骁鸿鹃鹤鹂龄珲玑玮焕炽尔墙献珐瑶瑷础"
    "禄祯稳纹纯纱绍丝维绮纬缙继缨总绩绣羡习翘闻庄莱荫芸蓝芦蝉袭觉咏诚调诺谦誉让丰贞宾"
    "赟轶轮转农边邮邻钊钰锐钢锡镇镜鉴门闪闽阵随隽鸡电灵韬颐频题额飘馆骏腾骄体松鸣莺麦"
    "点斋"
)
_T2S = str.maketrans(_TRADITIONAL, _SIMPLIFIED)


def normalize_name(raw: str | None) -> str:
    """Spaces dropped, full-width to half-width, separators unified to ``·``, Latin lower-cased."""
    if not raw:
        return ""
    value = _SPACE_RE.sub("", str(raw).translate(_FULL_TO_HALF).replace("\u3000", ""))
    value = _SEPARATOR_RE.sub("·", value).strip("·")
    return value.lower()


def name_key(raw: str | None) -> str:
    """The comparison key: the normalised name without separators (买买提·艾力 == 买买提艾力),
    traditional characters of names in their simplified form (陳偉 == 陈伟)."""
    return normalize_name(raw).replace("·", "").translate(_T2S)


@lru_cache(maxsize=1)
def _pinyin_dict() -> dict[int, str]:
    """pypinyin's character dictionary. Importing the package also loads its phrase
    dictionaries (a third of a second, unused here): when it is not imported yet, the
    character dictionary is read from its JSON file (what ``pypinyin.pinyin_dict`` does)."""
    module = sys.modules.get("pypinyin.pinyin_dict")
    spec = importlib.util.find_spec("pypinyin") if module is None else None
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations)), "pinyin_dict.json")
        try:
            with open(path, encoding="utf-8") as fh:
                return {int(code): readings for code, readings in json.load(fh).items()}
        except (OSError, ValueError):
            pass
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


NAME_SWAPPED = 92.0  # the given name written before the surname (伟张 for 张伟)


def _name_similarity_keys(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    if len(a) == len(b):
        ra, rb = _readings(a), _readings(b)
        if all(x & y for x, y in zip(ra, rb, strict=True)):
            return 95.0  # homophones: 张伟 / 章伟, 单 read shan / 善
        if any(b == a[k:] + a[:k] for k in (1, 2) if len(a) > k):
            return NAME_SWAPPED
    char_score = fuzz.ratio(a, b)
    pinyin_score = 0.9 * fuzz.ratio(_primary_pinyin(a), _primary_pinyin(b))
    return float(min(94.0, max(char_score, pinyin_score)))


def _middle_edit(a: str, b: str) -> bool:
    """One character more or less inside the name, the first and the last the same: 张伟 and
    张小伟, 欧阳明 and 欧明 (Chinese names of 2 to 5 characters)."""
    if abs(len(a) - len(b)) != 1 or not _CJK_RE.match(a) or not _CJK_RE.match(b):
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(short) < 2 or len(long_) > 5 or short[0] != long_[0] or short[-1] != long_[-1]:
        return False
    return any(long_[:i] + long_[i + 1 :] == short for i in range(1, len(long_) - 1))


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


def _checksum_ok_sql(hi: str, lo: str, chk: str) -> str:
    """ISO 7064 MOD 11-2: character '10X98765432'[sum % 11], i.e. sum % 11 == (12 - c) % 11.

    ``hi`` and ``lo`` are the first 9 and the next 8 digits as DOUBLE (columns: DuckDB does
    not share common subexpressions). The weighted digit sum is computed without extracting
    the digits: with q_j = v // 10**j and d_j = q_j - 10 q_(j+1), sum(w_j d_j) equals
    sum((w_j - 10 w_(j-1)) q_j): one division per digit instead of a division and a modulo.
    In DOUBLE, which is exact here (every value is an integer below 2**53, and ``floor`` of a
    correctly rounded quotient of such integers is the integer quotient) and much cheaper
    than BIGINT arithmetic (no overflow checks, no integer division)."""

    total = f"{_weighted_sql(hi, ID_WEIGHTS[:9])} + {_weighted_sql(lo, ID_WEIGHTS[9:])}"
    return f"coalesce(({total}) % 11 = (12 - {chk}) % 11, false)"


def _weighted_sql(var: str, weights: Sequence[int]) -> str:
    """The weighted digit sum of ``var`` (a DOUBLE holding an integer of ``len(weights)`` digits
    at most, below 2**53), see :func:`_checksum_ok_sql`."""
    w = list(reversed(weights))  # w[j]: the weight of the digit worth 10**j
    terms = [f"{var} * {w[0]}"]
    terms += [f"floor({var} / {10**j}.0) * {w[j] - 10 * w[j - 1]}" for j in range(1, len(w))]
    return " + ".join(terms)


def _upgrade_15_sql(col: str, head: str, tail: str) -> str:
    """An old 15-digit ID ``col`` upgraded ('19' inserted, check character added), when
    validate_id_number would accept it (province code, a real birth date not in the future);
    else NULL. ``head`` and ``tail``: its first 6 and last 9 digits as DOUBLE (columns, see
    :func:`_checksum_ok_sql`)."""
    # '1' and '9' add 1*W6 + 9*W7 = 11: nothing. The digits as numbers (string indexing per
    # character is slow).
    total = f"({_weighted_sql(head, ID_WEIGHTS[:6])} + {_weighted_sql(tail, ID_WEIGHTS[8:])})"
    provinces = ", ".join(f"'{code}'" for code in sorted(PROVINCE_CODES))
    birth = f"try_strptime('19' || substr({col}, 7, 6), '%Y%m%d')"
    return (
        f"CASE WHEN substr({col}, 1, 2) IN ({provinces}) "
        f"AND coalesce({birth}::DATE <= current_date, false) THEN substr({col}, 1, 6) || '19' || "
        f"substr({col}, 7, 9) || substr('10X98765432', (({total}) % 11)::INTEGER + 1, 1) END"
    )


_HALF = "".join(chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F))
_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F))


def _name_key_sql(col: str) -> str:
    """SQL twin of :func:`name_key` (kept identical: see the tests); pure CJK names only have
    their traditional characters simplified."""
    full, half = _FULL.replace("'", "''"), _HALF.replace("'", "''")
    drop = "[\\s\u3000\u00a0" + re.escape(_SEPARATORS + "·") + "]+"
    other = f"lower(regexp_replace(translate({col}, '{full}', '{half}'), '{drop}', '', 'g'))"
    return (
        f"CASE WHEN {col} IS NULL THEN '' "
        f"WHEN regexp_full_match({col}, '[\u4e00-\u9fff]+') THEN {_t2s_sql(col)} "
        f"ELSE {_t2s_sql(other)} END"
    )


def _t2s_sql(expr: str) -> str:
    """Traditional characters simplified; ``translate`` only on the (few) names that have one
    (it costs twenty times the regular expression that finds them)."""
    return (
        f"CASE WHEN regexp_matches({expr}, '[{_TRADITIONAL}]') "
        f"THEN translate({expr}, '{_TRADITIONAL}', '{_SIMPLIFIED}') ELSE {expr} END"
    )


# ID states of a normalised row: no ID, an 18-character ID shaped like one (digits and a final
# X; its check character may still be wrong), text to normalise in Python, anything else.
_ID_EMPTY, _ID_SHAPED, _ID_ODD, _ID_OTHER = 0, 1, 2, 3

# Phones already canonical, or canonical after dropping ASCII spaces and dashes and a +86 /
# 0086 / 86 prefix (exactly what normalize_phone does with them); the rest goes to Python.
# (Two ``replace`` calls cost a third of one ``regexp_replace``.)
_PHONE_SQL = """CASE WHEN phone IS NULL OR phone = '' THEN ''
    WHEN regexp_full_match(phone, '1[0-9]{10}') THEN phone
    WHEN regexp_full_match(replace(replace(phone, ' ', ''), '-', ''), '(\\+86|0086|86)?1[0-9]{10}')
        THEN right(replace(replace(phone, ' ', ''), '-', ''), 11) END"""


def _load(con, rel_or_columns, columns: Sequence[str], table: str) -> None:
    """``{table}_n``: key, name, given birth date, raw phone, and the ID and phone normalised in
    SQL where that is exact (the rest is marked for :func:`_normalise_odd`). One pass."""
    key_col = columns[0]
    source = rel_or_columns
    if not isinstance(source, duckdb.DuckDBPyRelation):
        source = _arrow_table(source, columns, table)
    birth_sql = _birth_date_sql(_column_types(source))
    # IDs: classified here (canonical 18 characters, empty, or "odd"), and the two odd forms
    # common in feeds normalised here too, on their rows only (CASE branches), as
    # _normalise_odd would: a final lower-case x (upper-cased), an old 15-digit ID (upgraded
    # where validate_id_number would accept it, else "other"). Left to _normalise_odd, they
    # were an UPDATE of one row in thirty, whose undo and version data DuckDB keeps in memory
    # for the rest of the run (~120 MB at 20,000,000 rows: past a 1.5 GB limit, spilling).
    # The rest (spaces, full-width characters, junk) is rare: left to _normalise_odd (in one
    # projection over millions of rows every branch of a CASE costs, if only per batch).
    # ``c``: the ID's case; each level computes what the next one reads (DuckDB does not share
    # common subexpressions).
    # The raw phone is kept only where SQL leaves the phone to the validators (a column of
    # mostly NULLs is cheaper to write than a copy of every phone).
    x_final, old15 = 5, 6  # the cases beyond the ID states
    # The old ID's first 6 and last 9 digits, as _upgrade_15_sql wants them (computed on its
    # rows only: an expression in a CASE branch runs on the rows that take it).
    upgraded = _upgrade_15_sql(
        "idv",
        "(TRY_CAST(idv AS BIGINT) // 1000000000)::DOUBLE",
        "(TRY_CAST(idv AS BIGINT) % 1000000000)::DOUBLE",
    )
    select = f"""SELECT key, name, given_birth_date, coalesce(fixed, idv, '') AS id_n,
        CASE WHEN c < {x_final} THEN c WHEN c = {x_final} OR fixed <> idv THEN {_ID_SHAPED}
            ELSE {_ID_OTHER} END::UTINYINT AS id_state,
        phone_n, phone_raw FROM (
        SELECT key, name, given_birth_date, idv, c, phone_n, phone_raw,
        CASE WHEN c >= {x_final} THEN CASE WHEN c = {x_final} THEN left(idv, 17) || 'X'
            ELSE {upgraded} END END AS fixed FROM (
        SELECT key, name, given_birth_date, idv, c, phone_n,
            CASE WHEN phone_n IS NULL THEN phone END AS phone_raw FROM (
        SELECT *, CASE WHEN is_shaped THEN {_ID_SHAPED}
            WHEN idv IS NULL OR idv = '' THEN {_ID_EMPTY}
            WHEN regexp_full_match(idv, '[0-9]{{17}}x') THEN {x_final}
            WHEN regexp_full_match(idv, '[0-9]{{15}}') THEN {old15}
            ELSE {_ID_ODD} END AS c FROM (
        SELECT {key_col} AS key, name::VARCHAR AS name,
        {birth_sql} AS given_birth_date, id_number::VARCHAR AS idv,
        regexp_full_match(id_number::VARCHAR, '[0-9]{{17}}[0-9X]') AS is_shaped,
        phone::VARCHAR AS phone, {_PHONE_SQL.replace("phone", "phone::VARCHAR")} AS phone_n"""
    con.register(f"{table}_src", source)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table}_n AS {select} FROM {table}_src))))")
    con.unregister(f"{table}_src")


def _column_types(source) -> dict[str, str]:
    if isinstance(source, duckdb.DuckDBPyRelation):
        return {c: str(t).upper() for c, t in zip(source.columns, source.types, strict=True)}
    return {f.name: str(f.type).upper() for f in source.schema}


# Birth dates written as text: the formats feeds use (2020-01-23, 2020/1/23, 2020.1.23,
# 20200123, 2020年1月23日), a time after the date ignored; an Excel serial (43853). What
# cannot be read is no birth date (as parse_feed_date).
_DATE_FORMATS = "['%Y-%m-%d', '%Y/%m/%d', '%Y.%m.%d', '%Y%m%d', '%Y年%m月%d日', '%Y年%m月%d']"


def _birth_date_sql(types: dict[str, str]) -> str:
    """The given birth date as a DATE from a column of dates, timestamps or text, or NULL
    for a source without the column (a feed without birth dates). Text: a cast first (ISO
    dates, most of them), then the format its separator tells, then anything else."""
    kind = types.get("birth_date")
    if kind is None or kind == "NULL":
        return "NULL::DATE"
    if kind == "DATE" or kind.startswith(("TIMESTAMP", "DATE32", "DATE64")):
        return "birth_date::DATE"
    raw = "birth_date::VARCHAR"
    text = f"regexp_extract(trim({raw}), '^[^ T]*')"
    serial = f"TRY_CAST(TRY_CAST({text} AS DOUBLE) AS INTEGER)"
    by_shape = f"""CASE WHEN contains({raw}, '/') THEN try_strptime({raw}, '%Y/%m/%d')
            WHEN contains({raw}, '年') THEN try_strptime({raw}, ['%Y年%m月%d日', '%Y年%m月%d'])
            WHEN contains({raw}, '.') THEN try_strptime({raw}, '%Y.%m.%d')
            WHEN length({raw}) = 8 THEN try_strptime({raw}, '%Y%m%d') END::DATE"""
    # A cast that fails costs about four times one that succeeds: only text with a separator
    # the cast reads ('-', '/', a space, a backslash) is cast (2020.01.23, 20200123 and
    # 2020年1月23日 would fail it; the special words it reads, 'epoch' and 'infinity', are read
    # by try_strptime below as well).
    castable = " OR ".join(f"contains({raw}, '{sep}')" for sep in ("-", "/", " ", "\\"))
    return f"""CASE WHEN birth_date IS NULL OR {raw} = '' THEN NULL::DATE
        ELSE coalesce(CASE WHEN {castable} THEN TRY_CAST({raw} AS DATE) END, {by_shape},
            try_strptime({text}, {_DATE_FORMATS})::DATE,
            CASE WHEN regexp_full_match({text}, '[0-9]{{1,5}}(\\.0+)?')
                AND {serial} BETWEEN 1 AND 99999 THEN DATE '1899-12-30' + {serial} END) END"""


def _arrow_table(data, columns: Sequence[str], table: str) -> pa.Table:
    """Columns given in Python as an Arrow table (built in C, read by DuckDB in place: a
    third of the time of binding 100,000 values as SQL list parameters)."""
    if isinstance(data, pa.Table):
        missing = [c for c in columns if c not in data.column_names and c != "birth_date"]
        if missing:
            raise ValueError(f"{table}: missing columns {', '.join(missing)}")
        return data.select([c for c in columns if c in data.column_names])
    if isinstance(data, ResidentColumns | FeedColumns):
        data = {name: getattr(data, name) for name in data.__slots__}
    missing = [c for c in columns if c not in data and c != "birth_date"]
    if missing:
        raise ValueError(f"{table}: missing columns {', '.join(missing)}")
    lengths = {len(data[c]) for c in columns if c in data}
    if len(lengths) > 1:
        raise ValueError(f"{table}: columns of different lengths")
    keys = list(data[columns[0]])
    if keys and all(isinstance(k, int) for k in keys):
        key_array = pa.array(keys, pa.int64())
    else:
        key_array = pa.array([str(k) for k in keys], pa.string())
    text = {
        c: pa.array([None if v is None else str(v) for v in data[c]], pa.string())
        for c in columns[1:4]
    }
    if "birth_date" not in data:
        return pa.table({columns[0]: key_array, **text})
    try:
        births = pa.array(data["birth_date"], pa.date32())
    except (TypeError, pa.ArrowInvalid, pa.ArrowTypeError):  # text dates: read in SQL
        births = pa.array([None if v is None else str(v) for v in data["birth_date"]], pa.string())
    return pa.table({columns[0]: key_array, **text, "birth_date": births})


def _normalise_odd(con, table: str) -> None:
    """IDs and phones SQL left alone (15-digit IDs, spaces, full-width, lower-case x, junk)
    go through the validators, once per distinct value."""
    odd_phones = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT phone_raw FROM {table}_n WHERE phone_n IS NULL"
        ).fetchall()
    ]
    if odd_phones:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table}_phone_map AS "
            "SELECT unnest($1::VARCHAR[]) AS raw, unnest($2::VARCHAR[]) AS norm",
            [odd_phones, [normalize_phone(raw) for raw in odd_phones]],
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {table}_phone_fix AS
            SELECT t.rowid AS idx, m.norm FROM {table}_n t JOIN {table}_phone_map m
            ON t.phone_raw = m.raw WHERE t.phone_n IS NULL"""
        )
        con.execute(
            f"""UPDATE {table}_n SET phone_n = m.norm FROM {table}_phone_fix m
            WHERE {table}_n.rowid = m.idx"""
        )
    # The raw phones are no longer needed: their column's memory back before the IDs' update
    # (dropping a column keeps the others' storage: no copy).
    con.execute(f"ALTER TABLE {table}_n DROP COLUMN phone_raw")
    for done in ("phone_map", "phone_fix"):
        con.execute(f"DROP TABLE IF EXISTS {table}_{done}")
    # In SQL: spaces dropped, a lower-case x upper-cased, old 15-digit IDs upgraded (as
    # normalize_id_number and validate_id_number do); what is still odd then goes to Python.
    shaped = "regexp_full_match(clean, '[0-9]{17}[0-9X]')"
    old15 = "regexp_full_match(clean, '[0-9]{15}')"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table}_id_fix AS
        WITH c AS MATERIALIZED (
            SELECT rowid AS idx, id_n AS raw, replace(replace(id_n, ' ', ''), 'x', 'X') AS clean
            FROM {table}_n WHERE id_state = {_ID_ODD}),
        d AS MATERIALIZED (
            SELECT idx, clean, TRY_CAST(clean AS BIGINT) AS v FROM c WHERE {old15}),
        u AS MATERIALIZED (
            SELECT idx, {_upgrade_15_sql("clean", "head", "tail")} AS upgraded FROM (
                SELECT idx, clean, (v // 1000000000)::DOUBLE AS head,
                    (v % 1000000000)::DOUBLE AS tail FROM d))
        SELECT c.idx, raw, coalesce(upgraded, clean) AS norm,
            CASE WHEN clean = '' THEN {_ID_EMPTY} WHEN upgraded IS NOT NULL THEN {_ID_SHAPED}
                WHEN {shaped} THEN {_ID_SHAPED} WHEN u.idx IS NOT NULL THEN {_ID_OTHER}
                ELSE {_ID_ODD} END::UTINYINT AS state
        FROM c LEFT JOIN u ON u.idx = c.idx"""
    )
    # Printable ASCII without spaces (and no x, upper-cased above) is what normalize_id_number
    # leaves as it is; not shaped and not 15 digits, validate_id_number rejects it: it stays
    # "odd" as it is, no need to ask the validators (Excel's 3.60426E+17, truncated IDs).
    odd_ids = [
        r[0]
        for r in con.execute(
            f"""SELECT DISTINCT norm FROM {table}_id_fix
            WHERE state = {_ID_ODD} AND NOT regexp_full_match(norm, '[!-wyz{{|}}~]+')"""
        ).fetchall()
    ]
    changed = []  # only what the validators change; the rest stays "odd" (not shaped)
    for raw in odd_ids:
        norm = normalize_feed_id(raw)[0]
        state = _ID_SHAPED if _ID_18.fullmatch(norm) else _ID_EMPTY if not norm else _ID_ODD
        if norm != raw or state != _ID_ODD:
            changed.append((raw, norm, state))
    if changed:
        con.execute(
            f"""UPDATE {table}_id_fix SET norm = m.norm, state = m.state FROM (
                SELECT unnest($1::VARCHAR[]) AS raw, unnest($2::VARCHAR[]) AS norm,
                    unnest($3::UTINYINT[]) AS state) m
            WHERE {table}_id_fix.state = {_ID_ODD} AND {table}_id_fix.norm = m.raw""",
            [list(c) for c in zip(*changed, strict=True)],
        )
    # By rowid, and only the rows that change (UPDATE ... FROM a join on text is slow).
    con.execute(
        f"""UPDATE {table}_n SET id_n = m.norm, id_state = m.state FROM (
            SELECT idx, norm, state FROM {table}_id_fix
            WHERE norm <> raw OR state <> {_ID_ODD}) m
        WHERE {table}_n.rowid = m.idx"""
    )
    con.execute(f"DROP TABLE {table}_id_fix")  # memory back before the joins


_ID_18 = re.compile(r"[0-9]{17}[0-9X]")


def _bad_ids(con, table: str) -> None:
    """``{table}_bad``: rows (``idx``) whose ID (``id_n``) is shaped like one but has a wrong
    check character. The checksum is the costly expression of the engine (one pass over every
    shaped ID): the ID is cast to a number once (``TRY_CAST`` of the whole ID, exact on a shaped
    ID; NULL only for a final X), then only arithmetic."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table}_bad AS
        WITH v AS (
            SELECT rowid AS idx, id_n, TRY_CAST(id_n AS BIGINT) AS v FROM {table}_n
            WHERE id_state = {_ID_SHAPED}),
        x AS (
            SELECT idx, id_n,
                CASE WHEN v IS NULL THEN left(id_n, 17)::BIGINT ELSE v // 10 END AS x17,
                CASE WHEN v IS NULL THEN 10 ELSE v % 10 END AS chk FROM v),
        d AS (
            SELECT idx, id_n, chk, (x17 // 100000000)::DOUBLE AS hi,
                (x17 % 100000000)::DOUBLE AS lo FROM x)
        SELECT idx, id_n FROM d WHERE NOT {_checksum_ok_sql("hi", "lo", "chk")}"""
    )


def _variants_sql(table: str) -> str:
    """Every ID one edit away from those of ``{table}_bad`` (``v``), with the kind of edit: one
    wrong digit, a wrong check character, two adjacent characters swapped. As text: a few
    hundred IDs times 180 variants, joined on the other side's IDs as they are."""
    chars = ", ".join(f"('{c}')" for c in "0123456789X")
    return f"""
    WITH b AS (SELECT idx, id_n FROM {table}_bad),
    subs AS (
        SELECT b.idx, left(b.id_n, p.k) || c.c || substr(b.id_n, p.k + 2) AS v,
            CASE WHEN p.k = 17 THEN 'check' ELSE 'digit' END AS edit
        FROM b, range(0, 18) p(k), (VALUES {chars}) c(c)
        WHERE c.c <> b.id_n[p.k + 1] AND (c.c <> 'X' OR p.k = 17)),
    swaps AS (
        SELECT idx, left(id_n, p.k) || id_n[p.k + 2] || id_n[p.k + 1] || substr(id_n, p.k + 3)
            AS v, 'swap' AS edit
        FROM b, range(0, 17) p(k) WHERE id_n[p.k + 1] <> id_n[p.k + 2])
    SELECT * FROM subs UNION ALL SELECT * FROM swaps"""


# ---------------------------------------------------------------------------- the engine


class UnmatchedRows(Sequence):
    """The row ids of the feed rows without a link, in feed order, fetched on first use.

    Millions of Python ints cost seconds to make; callers mostly want ``len()``. Holds the
    DuckDB connection (with the feed's keys, ``table``, and the rowids of the linked rows,
    ``linked``) until the ids are fetched."""

    def __init__(self, con, table: str, linked: str, count: int) -> None:
        self._con, self._table, self._linked, self._count = con, table, linked, count
        self._ids: list | None = None

    def _load(self) -> list:
        if self._ids is None:
            self._ids = [
                r[0]
                for r in self._con.execute(
                    f"""SELECT key FROM {self._table}
                    WHERE rowid NOT IN (SELECT idx FROM {self._linked}) ORDER BY rowid"""
                ).fetchall()
            ]
            for table in (self._table, self._linked):
                self._con.execute(f"DROP TABLE IF EXISTS {table}")
            self._con = None
        return self._ids

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._load()[index]

    def __iter__(self):
        return iter(self._load())

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    def __repr__(self) -> str:
        return f"<UnmatchedRows {self._count}>"


_LINK_COLUMNS = (
    "fi",
    "row_id",
    "resident_id",
    "rule",
    "score",
    "agreed",
    "status",
    "identity_key",
    "detail",
    "candidates",
)


class _LinkBatches:
    """The links as they are decided, kept column by column as Arrow (about 70 bytes a link;
    as Python objects a few hundred), a chunk per :data:`PAIRS_BATCH` links."""

    _TEXT = pa.dictionary(pa.int8(), pa.string())  # rule, status, detail, agreed fields

    def __init__(self) -> None:
        self._chunks: list[pa.Table] = []
        self._columns: dict[str, list] = {name: [] for name in _LINK_COLUMNS}

    def add(self, fi: int, link: Link) -> None:
        columns = self._columns
        columns["fi"].append(fi)
        columns["row_id"].append(link.row_id)
        columns["resident_id"].append(link.resident_id)
        columns["rule"].append(link.rule)
        columns["score"].append(link.score)
        columns["agreed"].append(",".join(link.agreed_fields))
        columns["status"].append(link.status)
        columns["identity_key"].append(link.identity_key)
        columns["detail"].append(link.detail)
        # One candidate is the linked resident with the link's score and fields; several
        # (a tie, rare) are kept as JSON.
        single = len(link.candidates) == 1 and link.candidates[0] == Candidate(
            link.resident_id, link.score, link.agreed_fields
        )
        columns["candidates"].append(
            None
            if single
            else json.dumps([[c.resident_id, c.score, c.agreed_fields] for c in link.candidates])
        )
        if len(columns["fi"]) >= PAIRS_BATCH:
            self._flush()

    def _flush(self) -> None:
        columns = self._columns
        if not columns["fi"]:
            return
        arrays = {
            "fi": pa.array(columns["fi"], pa.int64()),
            "row_id": pa.array(columns["row_id"]),
            "resident_id": pa.array(columns["resident_id"]),
            "score": pa.array(columns["score"], pa.int8()),
            "identity_key": pa.array(columns["identity_key"], pa.string()),
            "candidates": pa.array(columns["candidates"], pa.string()),
        }
        for name in ("rule", "agreed", "status", "detail"):
            arrays[name] = pa.array(columns[name], self._TEXT)
        self._chunks.append(pa.table({name: arrays[name] for name in _LINK_COLUMNS}))
        self._columns = {name: [] for name in _LINK_COLUMNS}

    def table(self) -> pa.Table:
        self._flush()
        if not self._chunks:
            return pa.table({name: pa.array([], pa.int64()) for name in _LINK_COLUMNS})
        # A chunk whose ids are all None (ties only) has a column of type null: promoted.
        return pa.concat_tables(self._chunks, promote_options="default")


class LinkRows(Sequence):
    """The links of a run with many (more than :data:`EAGER_LINKS`), in feed order, kept as an
    Arrow table and made into :class:`Link` objects as they are iterated (a batch at a time:
    a caller that goes through them once never holds them all as Python objects)."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table

    def __len__(self) -> int:
        return self._table.num_rows

    def __iter__(self):
        fields: dict[str, tuple[str, ...]] = {"": ()}
        for batch in self._table.to_batches(max_chunksize=PAIRS_BATCH):
            columns = batch.to_pydict()
            for row_id, rid, rule, score, agreed, status, ik, detail, ties in zip(
                *(columns[name] for name in _LINK_COLUMNS[1:]), strict=True
            ):
                agreed_fields = fields.get(agreed)
                if agreed_fields is None:
                    agreed_fields = fields[agreed] = tuple(agreed.split(","))
                if ties is None:
                    candidates = (Candidate(rid, score, agreed_fields),)
                else:
                    candidates = tuple(Candidate(c, s, tuple(a)) for c, s, a in json.loads(ties))
                yield Link(
                    row_id, rid, rule, score, agreed_fields, status, ik, candidates, detail or ""
                )

    def __getitem__(self, index):
        return list(self)[index]

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    def __repr__(self) -> str:
        return f"<LinkRows {len(self)}>"


_RUNS = itertools.count()
EAGER_UNMATCHED = 50_000  # up to this many unmatched row ids come back as a plain list
EAGER_LINKS = 100_000  # up to this many links come back as a plain list


class _InBackground:
    """A function's result computed in a thread of its own; `result()` waits for it and
    raises what the function raised."""

    def __init__(self, function: Callable[[], Any], *, name: str) -> None:
        self._function = function
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._function()
        except BaseException as error:  # handed to the caller by result()
            self._error = error

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def match_feed(
    residents: ResidentColumns
    | Mapping[str, Sequence]
    | pa.Table
    | duckdb.DuckDBPyRelation
    | os.PathLike
    | Callable[[], ResidentColumns | Mapping[str, Sequence] | pa.Table],
    feed_rows: FeedColumns | Mapping[str, Sequence] | duckdb.DuckDBPyRelation | os.PathLike,
    decisions: Mapping[Any, Any] | None = None,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
) -> MatchResult:
    """Link each feed row to at most one resident (see the module docstring)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    own = con is None
    spill = None
    if own:
        con, spill = _own_connection()
    keep_open = False
    # The engine writes and updates temporary tables of millions of rows; DuckDB's automatic
    # checkpoint (every 16 MiB of changes) would recompress them mid-run, for seconds.
    threshold = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0]
    con.execute("SET checkpoint_threshold = '1TB'")
    try:
        # Parquet files (a run's exported residents and feed rows): read by DuckDB.
        if isinstance(residents, os.PathLike):
            residents = con.read_parquet(os.fspath(residents))
        if isinstance(feed_rows, os.PathLike):
            feed_rows = con.read_parquet(os.fspath(feed_rows))
        if callable(residents):
            # Residents still to be made (e.g. decrypted): made in the background, while
            # DuckDB (which releases the GIL) reads and normalises the feed.
            residents = _InBackground(residents, name="outpost-residents")
        else:
            _load(con, residents, RESIDENT_COLUMNS, "res")
        # pypinyin's dictionary (a JSON file of 40,000 characters) is read in the background
        # too.
        threading.Thread(target=_pinyin_dict, name="outpost-pinyin", daemon=True).start()
        _load(con, feed_rows, FEED_COLUMNS, "feed")
        if isinstance(residents, _InBackground):
            _load(con, residents.result(), RESIDENT_COLUMNS, "res")
        timings["load"] = time.perf_counter() - started
        for table in ("res", "feed"):
            _normalise_odd(con, table)
            _bad_ids(con, table)
        timings["normalise"] = time.perf_counter() - started
        _candidate_pairs(con)
        timings["sql_candidates"] = time.perf_counter() - started
        result = _decide(con, decisions or {})
        timings["decide"] = time.perf_counter() - started
        keep_open = own and isinstance(result.unmatched, UnmatchedRows)
        if keep_open:  # the spill directory goes with the lazy list's connection
            weakref.finalize(result.unmatched, shutil.rmtree, spill, True)
        result.timings = timings
        return result
    finally:
        if own and not keep_open:
            con.close()
            shutil.rmtree(spill, ignore_errors=True)
        else:
            con.execute(f"SET checkpoint_threshold = '{threshold}'")


# DuckDB's defaults for a connection of the engine's own: 80 % of the machine's memory, and
# spill files in '.tmp' under the working directory. A task worker shares its machine, and
# what spills holds the feed's and the residents' IDs and phones in clear: a limit (a district,
# 2,000,000 rows, peaks near 450 MB; beyond the limit DuckDB spills instead of failing), and
# a private directory (mkdtemp: mode 0700) removed afterwards. A caller passing ``con`` sets
# its own (bench/matching_engine.py --memory-limit).
OWN_MEMORY_LIMIT = "2GB"


def _own_connection() -> tuple[duckdb.DuckDBPyConnection, str]:
    spill = tempfile.mkdtemp(prefix="outpost-match-")
    config = {"memory_limit": OWN_MEMORY_LIMIT, "temp_directory": spill}
    return duckdb.connect(config=config), spill


def _reading_table(con, table: str, chars_sql: str) -> None:
    """``{table}(ch, rd)``: every toneless reading of each character ``chars_sql`` returns
    (pypinyin's readings, surname readings included: every surname reading of
    SURNAME_READINGS is also one of the character's readings)."""
    ch_col, rd_col = [], []
    for (ch,) in con.execute(chars_sql).fetchall():
        readings = set(_char_reading(ch))
        for surname, surname_readings in SURNAME_READINGS.items():
            if ch in surname:
                readings.update(surname_readings)
        for reading in readings:
            ch_col.append(ch)
            rd_col.append(reading)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS "
        "SELECT unnest($1::VARCHAR[]) AS ch, unnest($2::VARCHAR[]) AS rd",
        [ch_col, rd_col],
    )


def _homophone_table(con) -> None:
    """``hom(a, b)``: pairs of different characters with a reading in common, for the
    characters of the names in ``cand4``."""
    _reading_table(
        con,
        "char_read",
        """SELECT DISTINCT unnest(string_split(k, '')) FROM (
            SELECT DISTINCT fk AS k FROM cand4 UNION SELECT DISTINCT rk FROM cand4)""",
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE hom AS SELECT DISTINCT x.ch AS a, y.ch AS b
        FROM char_read x JOIN char_read y ON x.rd = y.rd AND x.ch <> y.ch"""
    )


def _candidate_pairs(con) -> None:
    """``evidence``: every (feed row, resident) pair a rule proposes, with what agrees and what
    conflicts."""
    _resident_keys_table(con)
    _id_pairs_tables(con)
    _phone_pairs_table(con)
    _phone_edit_pairs_table(con)
    _name_birth_pairs_table(con)
    _pairs_with_evidence(con)


def _resident_keys_table(con) -> None:
    """res_x: each resident's name key, whether their ID is valid, and their birth date."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE res_x AS
        WITH x AS (SELECT rowid AS idx, given_birth_date, id_n,
            id_state = 1 AND rowid NOT IN (SELECT idx FROM res_bad) AS valid,
            {_name_key_sql("name")} AS name_key FROM res_n)
        SELECT idx, valid, name_key, coalesce(given_birth_date, CASE WHEN valid
            THEN try_strptime(substr(id_n, 7, 8), '%Y%m%d')::DATE END) AS birth_date FROM x"""
    )


def _id_pairs_tables(con) -> None:
    """Rule 1 (exact: the same ID) and rule 2 (edit_pairs: the ID one edit away)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE exact AS SELECT f.rowid AS fi, r.rowid AS ri "
        "FROM feed_n f JOIN res_n r ON f.id_n = r.id_n WHERE f.id_n <> ''"
    )
    # Rule 2, feed side: variants of the (few) bad feed IDs against every resident ID.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE edit_pairs AS
        SELECT v.idx AS fi, r.rowid AS ri, v.edit FROM ({_variants_sql("feed")}) v
        JOIN res_n r ON r.id_n = v.v WHERE r.id_state = {_ID_SHAPED}"""
    )
    # A swap of the last digit with an X check character leaves the X inside: not shaped,
    # and left "odd" by the normalisation (the regular expression then runs on those only).
    con.execute(
        f"""INSERT INTO edit_pairs SELECT f.rowid, r.rowid, 'swap' FROM feed_n f
        JOIN res_n r ON r.id_n = substr(f.id_n, 1, 16) || f.id_n[18] || 'X'
        WHERE f.id_state = {_ID_ODD} AND regexp_full_match(f.id_n, '[0-9]{{16}}X[0-9]')"""
    )
    # Rule 2, resident side: residents' bad IDs are rare (a pass over the feed when any).
    if con.execute("SELECT count(*) FROM res_bad").fetchone()[0]:
        con.execute(
            f"""INSERT INTO edit_pairs SELECT f.rowid, v.idx, v.edit FROM feed_n f
            JOIN ({_variants_sql("res")}) v ON f.id_n = v.v"""
        )


def _phone_pairs_table(con) -> None:
    """Rule 3: the same phone, for the rows without an exact ID match."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE phone_pairs AS
        SELECT f.rowid AS fi, r.rowid AS ri FROM feed_n f JOIN res_n r ON f.phone_n = r.phone_n
        WHERE f.phone_n <> '' AND f.rowid NOT IN (SELECT fi FROM exact)"""
    )


def _phone_edit_pairs_table(con) -> None:
    """Rule 4 (phone_edit_pairs): the same name (key) and a phone one edit away (a wrong
    digit, two adjacent digits swapped), for the rows without an exact ID match. A single edit
    leaves the first five or the last five of the eleven digits as they were: a hash join on
    (five digits, the name's last character), then the name key and the edit are checked on
    the few pairs it gives. The name key is the costly expression here: computed on those
    pairs, not on every feed row with a phone. The last character of a name ending in a CJK
    character is its key's, or a traditional form of it (the residents' side carries those
    too); other names (rare) join on their key's last character."""
    # One join on (which half, its five digits, last character), the feed's rows streamed
    # through it: two joins would materialise them (all the feed's rows with a phone). A pair
    # may meet on both halves (an edit in the sixth digit) or through a traditional form:
    # DISTINCT on the few pairs that pass the checks, not on every pair the join gives.
    # One integer key per half (an integer join is faster than one on text and a side): the
    # phone as a number (11 digits; one with other characters is no phone to correct), its
    # first five digits v // 10**6, its last five v % 10**5 (offset by 10**5 to tell the two
    # apart), times 2**21, plus the code point of the last character (below 2**21).
    halves = (
        "unnest([(v // 1000000) * 2097152 + last, (v % 100000 + 100000) * 2097152 + last]) AS jk"
    )
    # ``c``: the code point of the name's last character, computed once (DuckDB does not share
    # common subexpressions); the CJK block is U+4E00-U+9FFF.
    feed_last = (
        f"CASE WHEN c BETWEEN {0x4E00} AND {0x9FFF} THEN c "
        f"ELSE unicode(right({_name_key_sql('name')}, 1)) END"
    )
    swap = (
        "len(list_filter(range(1, 11), "
        "lambda i: a[i] <> b[i] AND a[i] = b[i + 1] AND a[i + 1] = b[i])) > 0"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE phone_edit_pairs AS
        WITH t2s AS (SELECT unicode(unnest(string_split('{_TRADITIONAL}', ''))) AS trad,
            unicode(unnest(string_split('{_SIMPLIFIED}', ''))) AS simp),
        r0 AS (SELECT x.idx AS ri, x.name_key AS k, n.phone_n AS ph,
            unicode(right(x.name_key, 1)) AS last FROM res_x x JOIN res_n n ON n.rowid = x.idx
            WHERE length(n.phone_n) = 11 AND x.name_key <> ''),
        r AS (SELECT ri, k, ph, {halves} FROM (
            SELECT ri, k, ph, last, TRY_CAST(ph AS BIGINT) AS v FROM (
                SELECT * FROM r0 UNION ALL
                SELECT ri, k, ph, t2s.trad FROM r0 JOIN t2s ON t2s.simp = r0.last))),
        f AS (SELECT fi, name, ph, {halves} FROM (
            SELECT fi, name, ph, {feed_last} AS last, TRY_CAST(ph AS BIGINT) AS v FROM (
                SELECT rowid AS fi, name, phone_n AS ph, unicode(right(name, 1)) AS c
                FROM feed_n WHERE length(phone_n) = 11 AND name IS NOT NULL))),
        j AS (SELECT f.fi, f.name, r.ri, r.k, f.ph AS a, r.ph AS b FROM f JOIN r ON f.jk = r.jk)
        SELECT DISTINCT fi, ri, CASE WHEN hamming(a, b) = 1 THEN 'digit' ELSE 'swap' END AS edit
        FROM j WHERE a <> b AND (hamming(a, b) = 1 OR (hamming(a, b) = 2 AND {swap}))
            AND {_name_key_sql("name")} = k AND fi NOT IN (SELECT fi FROM exact)"""
    )


def _name_birth_pairs_table(con) -> None:
    """Rule 5 (name_pairs): the same birth date and names that can score >= 90."""
    # Rule 5: (a) feed rows without a valid ID against every resident with that birth date;
    # (b) rows with a valid ID (their birth date defaults to the ID's) against the residents
    # without one. Only names that can score >= 90 go on: the same key, or (up to 9
    # characters) a reading in common at every position; longer names go to Python.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE res_b AS SELECT x.idx, x.name_key, x.birth_date,
            strftime(x.birth_date, '%Y%m%d') AS bd8, length(x.name_key) AS len,
            x.name_key[1] AS c1 FROM res_x x WHERE x.birth_date IS NOT NULL AND x.name_key <> ''"""
    )
    # Joins first, then the few joined rows are filtered (an IN over millions of rows is a
    # full mark join in DuckDB).
    no_valid_id = f"""SELECT rowid AS fi, name, given_birth_date FROM feed_n
        WHERE id_state <> {_ID_SHAPED} AND given_birth_date IS NOT NULL AND name IS NOT NULL
        UNION ALL SELECT f.rowid, f.name, f.given_birth_date FROM feed_bad b
        JOIN feed_n f ON f.rowid = b.idx
        WHERE f.given_birth_date IS NOT NULL AND f.name IS NOT NULL"""
    # The keys materialised: a filter on them would be pushed down to where they are computed,
    # computing them twice.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE feed_b AS
        WITH k AS MATERIALIZED (SELECT fi, {_name_key_sql("name")} AS fk, given_birth_date AS bd
            FROM ({no_valid_id}))
        SELECT fi, fk, bd, length(fk) AS len, fk[1] AS c1 FROM k WHERE fk <> ''"""
    )
    # Names of up to 9 characters need a reading in common at the first position already:
    # the pairs of first characters that have one cut the pairs of rows joined on the birth
    # date (every feed row times every resident born that day) to a handful. Part of the join
    # key: each resident comes with every first character that has a reading in common with
    # theirs (first_ok holds each pair once), so the join gives the handful directly instead
    # of every pair born the same day, filtered afterwards.
    _reading_table(
        con,
        "first_read",
        """SELECT DISTINCT c1 FROM feed_b WHERE len <= 9
        UNION SELECT DISTINCT c1 FROM res_b WHERE len <= 9""",
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE first_ok AS SELECT DISTINCT x.ch AS a, y.ch AS b
        FROM first_read x JOIN first_read y ON x.rd = y.rd"""
    )
    parts = [
        """SELECT f.fi, r.idx AS ri, f.fk, r.name_key AS rk FROM feed_b f
        JOIN (SELECT r.*, o.a FROM res_b r JOIN first_ok o ON o.b = r.c1 WHERE r.len <= 9) r
            ON f.bd = r.birth_date AND f.len = r.len AND f.c1 = r.a""",
        """SELECT f.fi, r.idx AS ri, f.fk, r.name_key AS rk FROM feed_b f
        JOIN res_b r ON f.bd = r.birth_date AND f.len = r.len WHERE f.len > 9""",
    ]
    if con.execute("SELECT count(*) FROM res_x WHERE NOT valid").fetchone()[0]:
        no_id = "(SELECT * FROM res_b WHERE idx IN (SELECT idx FROM res_x WHERE NOT valid))"
        for on in ("f.given_birth_date = r.birth_date", "substr(f.id_n, 7, 8) = r.bd8"):
            given = "IS NULL" if "bd8" in on else "IS NOT NULL"
            parts.append(
                f"""SELECT fi, idx, {_name_key_sql("name")} AS fk, name_key FROM (
                    SELECT f.rowid AS fi, f.name, r.idx, r.name_key, r.len
                    FROM feed_n f JOIN {no_id} r ON {on}
                    WHERE f.given_birth_date {given} AND f.id_state = {_ID_SHAPED}
                      AND f.name IS NOT NULL)
                WHERE length({_name_key_sql("name")}) = len
                  AND fi NOT IN (SELECT idx FROM feed_bad)"""
            )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cand4 AS SELECT * FROM ("
        + " UNION ALL ".join(parts)
        + ") WHERE fk <> '' AND fi NOT IN (SELECT fi FROM exact)"
    )
    _near_names_table(con)
    con.execute("DROP TABLE IF EXISTS feed_b")


def _near_names_table(con) -> None:
    """name_pairs: the pairs of cand4 whose names are the same or homophones throughout."""
    _homophone_table(con)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE name_pairs AS
        WITH c AS (SELECT DISTINCT fk, rk FROM cand4 WHERE fk <> rk AND length(fk) <= 9),
        c1 AS (SELECT fk, rk FROM c WHERE fk[1] = rk[1]
            UNION ALL SELECT c.fk, c.rk FROM c SEMI JOIN hom ON hom.a = c.fk[1] AND hom.b = c.rk[1]),
        pos AS (SELECT c1.fk, c1.rk, c1.fk[i.i] AS a, c1.rk[i.i] AS b
            FROM c1, range(2, 10) i(i)
            WHERE i.i <= length(c1.fk) AND c1.fk[i.i] <> c1.rk[i.i]),
        far AS (SELECT DISTINCT fk, rk FROM pos ANTI JOIN hom ON hom.a = pos.a AND hom.b = pos.b),
        near AS (SELECT fk, rk FROM c1 ANTI JOIN far ON far.fk = c1.fk AND far.rk = c1.rk)
        SELECT fi, ri FROM cand4 WHERE fk = rk OR length(fk) > 9
        UNION ALL SELECT cand4.fi, cand4.ri FROM cand4
        SEMI JOIN near ON near.fk = cand4.fk AND near.rk = cand4.rk"""
    )


def _pairs_with_evidence(con) -> None:
    """The pairs of all rules, each with what agrees and what conflicts (see _decide_rows)."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE shared_phones AS SELECT phone_n FROM res_n
        WHERE phone_n <> '' GROUP BY phone_n HAVING count(*) > 1"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE p AS
        SELECT fi, ri, 1 AS rule, 'exact' AS edit FROM exact
        UNION ALL SELECT fi, ri, 2, edit FROM edit_pairs
        UNION ALL SELECT fi, ri, 3, '' FROM phone_pairs
        UNION ALL SELECT fi, ri, 4, edit FROM phone_edit_pairs
        UNION ALL SELECT fi, ri, 5, '' FROM name_pairs"""
    )
    # The candidates' feed rows, read once (a pass over the whole feed) for the pairs and for
    # their identity keys (_decide_rows).
    con.execute(
        """CREATE OR REPLACE TEMP TABLE feed_c AS SELECT rowid AS fi, key, name, id_n, id_state,
            phone_n, given_birth_date FROM feed_n WHERE rowid IN (SELECT fi FROM p)"""
    )
    valid_f = "(f.id_state = 1 AND f.fi NOT IN (SELECT idx FROM feed_bad))"
    conflict = f"({valid_f} AND r.valid AND f.id_n <> rn.id_n)"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE pairs AS
        SELECT p.*, f.key AS fkey, rn.key AS rkey, {_name_key_sql("f.name")} AS fname,
            r.name_key AS rname, f.phone_n AS fphone, rn.phone_n AS rphone,
            coalesce(f.given_birth_date, CASE WHEN {valid_f}
                THEN try_strptime(substr(f.id_n, 7, 8), '%Y%m%d')::DATE END) AS fbd,
            r.birth_date AS rbd, f.id_n AS fid, rn.id_n AS rid,
            {conflict} AS conflict, f.id_state = {_ID_SHAPED} AS fshaped,
            s.phone_n IS NOT NULL AS rshared
        FROM p JOIN feed_c f ON f.fi = p.fi JOIN res_n rn ON rn.rowid = p.ri
        JOIN res_x r ON r.idx = p.ri LEFT JOIN shared_phones s ON s.phone_n = rn.phone_n"""
    )
    # A phone is a household's (shared) when several residents carry it.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE evidence AS
        SELECT fi, rule, edit, rkey, fname, rname,
            fphone <> '' AND fphone = rphone AS phone_eq,
            fbd IS NOT NULL AND fbd = rbd AS birth_eq,
            fid <> '' AND fid = rid AS id_eq,
            fphone <> '' AND rphone <> '' AND fphone <> rphone AS phone_other,
            rshared,
            fshaped AND rid <> '' AND fid <> rid AS id_against,
            fbd IS NOT NULL AND rbd IS NOT NULL AND fbd <> rbd AS birth_other,
            coalesce(try_strptime(substr(fid, 7, 8), '%Y%m%d')::DATE = rbd, false) AS id_birth_eq
        FROM pairs WHERE rule IN (1, 2) OR NOT conflict"""
    )
    con.execute("DROP TABLE pairs")


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


@dataclass(frozen=True, slots=True)
class _Evidence:
    """What one candidate pair has for and against it (see _pairs_with_evidence)."""

    name_score: float
    exact_name: bool  # the same name key
    near_name: bool  # one character more or less inside the name (张伟 / 张小伟)
    phone_eq: bool
    # The same birth date given; for rule 2 without one given, the birth date the ID one edit
    # away carries (the edit is not in its eight digits of the date).
    birth_eq: bool
    shared_phone: bool  # the resident's phone is carried by several residents (a household's)
    id_against: bool  # the feed's ID is shaped like one and is not the resident's
    birth_against: bool  # both have a birth date and they differ
    phone_against: bool  # both have a phone and they differ


def _evaluate(rule: int, e: _Evidence):
    """(rule name, score, status) of one candidate pair, or None when the rule is not met.

    Auto only where two independent fields agree beyond doubt; one weak field (a similar
    name, a shared phone) is at most a review, and evidence against (another ID, another
    birth date) turns an auto link into a review."""
    confirms = e.name_score >= NAME_CONFIRMS
    if rule == 1:
        return RULE_ID_EXACT, 100, AUTO
    if rule == 2:
        if e.phone_eq:
            return RULE_ID_ONE_EDIT, 95 if confirms else 90, AUTO
        # 17 of 18 characters and the exact name (no other birth date given), or a name that
        # confirms and the same birth date.
        if (e.exact_name and not e.birth_against) or (confirms and e.birth_eq):
            return RULE_ID_ONE_EDIT, 93 if e.exact_name else 92, AUTO
        if confirms:
            return RULE_ID_ONE_EDIT, 80 + round(e.name_score / 10), REVIEW
        return None
    if rule == 3:
        return _evaluate_phone(e)
    if rule == 4:  # the same name and a phone one edit away
        if e.birth_against:
            return None
        return RULE_PHONE_ONE_EDIT, 88, REVIEW if e.id_against else AUTO
    if confirms:  # rule 5; auto only when unique and exact (see _first_rule_options)
        auto = e.exact_name and not e.phone_against and not e.id_against
        return RULE_NAME_BIRTH_DATE, 40 + round(e.name_score / 2), AUTO if auto else REVIEW
    return None


def _evaluate_phone(e: _Evidence):
    """Rule 3, the same phone. A household's phone (several residents carry it) needs the name
    of one of them: a similar name on it (same surname, another given name) is a stranger
    using the family's phone, not a case for review, unless the birth date agrees too."""
    score = 45 + round(e.name_score / 2)
    confirms = e.name_score >= NAME_CONFIRMS
    if e.id_against or e.birth_against:
        return (RULE_PHONE, score, REVIEW) if confirms else None
    if confirms:
        return RULE_PHONE, score, AUTO
    if e.shared_phone:
        if e.birth_eq and (e.near_name or e.name_score >= NAME_REVIEW):
            return RULE_PHONE, score, REVIEW
        return None
    if e.near_name:  # the resident's own phone and their name with a character more or less
        return RULE_PHONE, 89, AUTO
    if e.name_score >= NAME_REVIEW:
        return RULE_PHONE, score, REVIEW
    return None


def _decide(con, decisions: Mapping[Any, Any]) -> MatchResult:
    gc_was_enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of small tuples: the collector would cost seconds
    try:
        return _decide_rows(con, decisions)
    finally:
        if gc_was_enabled:
            gc.enable()


def _decide_rows(con, decisions: Mapping[Any, Any]) -> MatchResult:
    """Each row's link from its candidates, the rows streamed from DuckDB in the order of the
    feed: Python holds one batch of candidate pairs at a time, and the links as Arrow batches
    (a city's millions of links as Python objects would take gigabytes)."""
    links = _LinkBatches()
    score_cache: dict[tuple[str, str], float] = {}
    for fi, row_id, ik, pairs in _rows_with_pairs(con, decisions):
        decision = decisions.get(ik)
        if decision is REJECTED:
            continue
        if len(score_cache) > SCORE_CACHE_SIZE:
            score_cache.clear()
        by_rule = _options_by_rule(pairs, score_cache)
        chosen = _first_rule_options(by_rule, ik, decisions)
        if decision is not None:
            link = _decided_link(row_id, ik, decision, chosen, by_rule)
        elif chosen:
            link = _best_link(row_id, ik, chosen)
        else:
            continue
        links.add(fi, link)
    table = links.table()
    unmatched = _unmatched_rows(con, table)
    rows = LinkRows(table)
    return MatchResult(links=list(rows) if len(rows) <= EAGER_LINKS else rows, unmatched=unmatched)


SCORE_CACHE_SIZE = 200_000  # distinct pairs of names scored: past this the cache starts over
PAIRS_BATCH = 50_000  # candidate pairs fetched from DuckDB at a time


def _options_by_rule(pairs: list[tuple], score_cache: dict) -> dict[int, list]:
    """One row's candidates that meet their rule: {rule: [(score, status, rule name,
    Candidate, detail)]}."""
    by_rule: dict[int, list] = {}
    for (
        rule,
        edit,
        rid,
        fname,
        rname,
        phone_eq,
        birth_eq,
        id_eq,
        phone_other,
        shared,
        id_against,
        birth_other,
        id_birth_eq,
    ) in pairs:
        pair = (fname, rname)
        name_score = score_cache.get(pair)
        if name_score is None:
            name_score = score_cache[pair] = _name_similarity_keys(fname, rname)
        # Auto on name and birth date needs the exact Chinese name (rule 5).
        exact = bool(fname) and fname == rname and (rule != 5 or bool(_CJK_RE.search(fname)))
        evidence = _Evidence(
            name_score,
            exact,
            rule == 3 and not exact and _middle_edit(fname, rname),
            phone_eq,
            birth_eq or (rule == 2 and not birth_other and id_birth_eq),
            shared,
            id_against,
            birth_other,
            phone_other,
        )
        verdict = _evaluate(rule, evidence)
        if verdict is None:
            continue
        rule_name, score, status = verdict
        candidate = Candidate(rid, score, _agreed(name_score, phone_eq, birth_eq, id_eq))
        option = (score, status, rule_name, candidate, edit if rule in (2, 4) else "")
        by_rule.setdefault(rule, []).append(option)
    return by_rule


def _rows_with_pairs(con, decisions: Mapping[Any, Any]):
    """(fi, row key, identity key, [evidence of each candidate pair]) of the rows with
    candidates or with an accepted decision, in the order of the feed, fetched in batches."""
    decided_keys = {k for k in decisions if isinstance(k, str) and decisions[k] is not REJECTED}
    key_sql = (
        f"md5(concat_ws('|', f.id_n, f.phone_n, {_name_key_sql('f.name')}, "
        "coalesce(strftime(f.given_birth_date, '%Y-%m-%d'), '')))"
    )
    rows = f"SELECT f.fi AS idx, f.key, {key_sql} AS ik FROM feed_c f"
    if decided_keys:  # an accepted decision may apply to a row no rule proposes
        con.execute(
            "CREATE OR REPLACE TEMP TABLE decided_keys AS SELECT unnest($1::VARCHAR[]) AS k",
            [sorted(decided_keys)],
        )
        rows += f""" UNION ALL SELECT idx, key, ik FROM (
            SELECT f.rowid AS idx, f.key, {key_sql} AS ik FROM feed_n f
            WHERE f.rowid NOT IN (SELECT fi FROM feed_c))
        WHERE ik IN (SELECT k FROM decided_keys)"""
    cursor = con.execute(
        f"""SELECT r.idx, r.key, r.ik, e.rule, e.edit, e.rkey, e.fname, e.rname, e.phone_eq,
            e.birth_eq, e.id_eq, e.phone_other, e.rshared, e.id_against, e.birth_other,
            e.id_birth_eq
        FROM ({rows}) r LEFT JOIN evidence e ON e.fi = r.idx ORDER BY r.idx, e.rule"""
    )
    current = None
    while batch := cursor.fetchmany(PAIRS_BATCH):
        for fi, key, ik, rule, *evidence in batch:
            if current is None or fi != current[0]:
                if current is not None:
                    yield current
                current = (fi, key, ik, [])
            if rule is not None:
                current[3].append((rule, *evidence))
    if current is not None:
        yield current


def _first_rule_options(by_rule: dict, ik: str, decisions: Mapping[Any, Any]) -> list | None:
    """The options of the first rule with a candidate not rejected for this row."""
    for rule in sorted(by_rule):
        options = [
            o for o in by_rule[rule] if decisions.get((ik, o[3].resident_id)) is not REJECTED
        ]
        # Rule 5 is auto only for a unique candidate; a row with a rejected candidate
        # was ambiguous once: what remains of it is reviewed again, never auto.
        if (rule == 5 and len(by_rule[rule]) > 1) or len(options) < len(by_rule[rule]):
            options = [(o[0], REVIEW, *o[2:]) for o in options]
        if options:
            return options
    return None


def _decided_link(row_id, ik: str, decision, chosen: list | None, by_rule: dict) -> Link:
    """The link an accepted decision makes, with the rule that proposed it if any."""
    match = [o for o in (chosen or []) if o[3].resident_id == decision]
    for rule in sorted(by_rule):
        match = match or [o for o in by_rule[rule] if o[3].resident_id == decision]
    if match:
        score, _status, rule_name, cand, detail = match[0]
    else:
        score, rule_name, detail = 100, RULE_DECISION, ""
        cand = Candidate(decision, 100, ())
    return Link(
        row_id, decision, rule_name, score, cand.agreed_fields, DECIDED, ik, (cand,), detail
    )


def _best_link(row_id, ik: str, chosen: list) -> Link:
    """The link of the best-scoring resident, or a review of the residents tied at the top."""
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
        return Link(
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
    cands = tuple(sorted((o[3] for o in tied), key=lambda c: str(c.resident_id)))
    return Link(row_id, None, tied[0][2], top, (), REVIEW, ik, cands)


def _unmatched_rows(con, links: pa.Table) -> Sequence[Any]:
    """The keys of the feed rows without a link: a list, or a lazy list over DuckDB."""
    run = next(_RUNS)  # tables of their own per call: a lazy list may outlive the next call
    linked_table, table = f"linked_rows_{run}", f"unmatched_rows_{run}"
    con.register("linked_src", links.select(["fi"]))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {linked_table} AS SELECT fi AS idx FROM linked_src")
    con.unregister("linked_src")
    count = con.execute("SELECT count(*) FROM feed_n").fetchone()[0] - links.num_rows
    # The lazy list reads the feed's keys from feed_n itself, renamed and cut to its key column
    # (dropping a column keeps the others' storage: no copy of millions of rows).
    columns = [d[0] for d in con.execute("SELECT * FROM feed_n LIMIT 0").description]
    con.execute(f"ALTER TABLE feed_n RENAME TO {table}")
    for column in columns:
        if column != "key":
            con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    unmatched: Sequence[Any] = UnmatchedRows(con, table, linked_table, count)
    if count <= EAGER_UNMATCHED:
        return list(unmatched)
    for table in ("res_n", "evidence", "cand4", "feed_b", "feed_c"):  # keep only what it needs
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return unmatched
