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

from .keys import identity_key, parse_feed_date
from .lazy import LinkRows, UnmatchedRows
from .match import match_feed
from .names import name_key, name_similarity, normalize_name
from .records import (
    AUTO,
    DECIDED,
    REJECTED,
    RESIDENT_COLUMNS,
    REVIEW,
    Candidate,
    FeedColumns,
    Link,
    MatchResult,
    ResidentColumns,
)

__all__ = [
    "AUTO",
    "DECIDED",
    "REJECTED",
    "RESIDENT_COLUMNS",
    "REVIEW",
    "Candidate",
    "FeedColumns",
    "Link",
    "LinkRows",
    "MatchResult",
    "ResidentColumns",
    "UnmatchedRows",
    "identity_key",
    "match_feed",
    "name_key",
    "name_similarity",
    "normalize_name",
    "parse_feed_date",
]
