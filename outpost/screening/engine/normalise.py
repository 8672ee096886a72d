"""The load of each side into DuckDB and the normalisation of its IDs and phones (SQL, the
validators for the odd rest), and the IDs with a wrong check character."""

from __future__ import annotations

import re
from collections.abc import Sequence

import duckdb
import pyarrow as pa

from outpost.core.identity import (
    ID_WEIGHTS,
    PROVINCE_CODES,
    normalize_phone,
)

from .keys import normalize_feed_id
from .names import _SEPARATORS, _SIMPLIFIED, _TRADITIONAL
from .records import FeedColumns, ResidentColumns


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
