"""Synthetic people in DuckDB SQL, for feeds of millions of rows and a city-sized registry.

The matching bench makes its true rows and its hard strangers in Python (a few thousand rows
with a known truth); the millions of plain strangers, and the 7,000,000 residents of a city,
are made here in SQL from the demo's name tables, deterministically (``hash`` of the row
number and a seed), with valid ID numbers (GB 11643 check character) and mobile phones.
"""

from __future__ import annotations

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
# Surnames nobody of the registry has (the demo's tables lack them): plain strangers with
# only a name and a birth date, who must not come near anybody.
RARE_SURNAMES = ["闾丘", "司空", "亓官", "宇文", "澹台", "公冶", "宗政", "濮阳"]


def tables(con, common: list[str]) -> None:
    """name_parts: the demo's surnames (repeated by weight), given-name characters, regions,
    rare surnames and the residents' ``common`` names, as lists in one row."""
    from outpost.demo import names

    surnames = [s for s, w in names.SURNAMES for _ in range(max(1, w // 10))]
    con.execute(
        """CREATE OR REPLACE TEMP TABLE name_parts AS SELECT $1::VARCHAR[] AS sur,
            $2::VARCHAR[] AS first, $3::VARCHAR[] AS second, $4::VARCHAR[] AS regions,
            $5::VARCHAR[] AS rare, $6::VARCHAR[] AS common""",
        [
            surnames,
            list(names.GIVEN_MALE + names.GIVEN_FEMALE + names.GIVEN_NEUTRAL),
            list(names.GIVEN_MALE + names.GIVEN_FEMALE),
            [code for code, _n, _g, _w in names.REGIONS],
            RARE_SURNAMES,
            common or ["无名"],
        ],
    )


def _h(k: int, seed: int) -> str:
    """A deterministic pseudo-random UBIGINT per row ``i`` and draw ``k``."""
    return f"hash(i, {seed}, {k})"


def _pick(array: str, k: int, seed: int) -> str:
    return f"{array}[1 + ({_h(k, seed)} % len({array}))::INTEGER]"


def _name_sql(seed: int, surname: str | None = None) -> str:
    sur = surname or _pick("sur", 1, seed)
    given = (
        f"CASE WHEN {_h(2, seed)} % 100 < 22 THEN {_pick('second', 3, seed)} "
        f"ELSE {_pick('first', 4, seed)} || {_pick('second', 5, seed)} END"
    )
    return f"{sur} || {given}"


def _id_sql(f17: str) -> str:
    weights = ", ".join(map(str, WEIGHTS))
    total = f"list_sum(list_transform(range(1, 18), lambda k: substr({f17}, k, 1)::INTEGER * [{weights}][k]))"
    return f"{f17} || substr('10X98765432', (({total}) % 11)::INTEGER + 1, 1)"


def _birth_sql(seed: int) -> str:
    return f"DATE '1931-01-01' + ({_h(6, seed)} % 32000)::INTEGER"


def _phone_sql(seed: int, k: int = 7) -> str:
    prefix = "['13', '15', '17', '18', '19', '13', '15', '18']"
    return (
        f"{prefix}[1 + ({_h(k, seed)} % 8)::INTEGER] || "
        f"lpad(({_h(k + 1, seed)} % 1000000000)::VARCHAR, 9, '0')"
    )


def _birth_text(col: str, seed: int) -> str:
    return f"""CASE {_h(9, seed)} % 5
        WHEN 0 THEN strftime({col}, '%Y-%m-%d')
        WHEN 1 THEN year({col}) || '/' || month({col}) || '/' || day({col})
        WHEN 2 THEN strftime({col}, '%Y%m%d')
        WHEN 3 THEN year({col}) || '年' || month({col}) || '月' || day({col}) || '日'
        ELSE strftime({col}, '%Y.%m.%d') END"""


def strangers_sql(start: int, count: int, seed: int, *, common: bool = False) -> str:
    """SELECT of ``count`` strangers with row ids from ``start``: (row_id, name, id_number,
    phone, birth_date as text). ``common``: each has one of the residents' common names
    (``name_parts.common``), an ID and often a phone; otherwise the mix of plain strangers:
    an ID (80 %, often a phone, sometimes the birth date), a phone only (12 %), a name nobody
    has and a birth date (7.5 %), junk in the ID column (0.5 %)."""
    name = _pick("common", 10, seed) if common else _name_sql(seed)
    f17 = (
        f"{_pick('regions', 11, seed)} || strftime(b, '%Y%m%d') || "
        f"lpad(({_h(12, seed)} % 1000)::VARCHAR, 3, '0')"
    )
    plus86 = f"CASE WHEN {_h(13, seed)} % 5 = 0 THEN '+86 ' ELSE '' END"
    kind = "500" if common else f"{_h(14, seed)} % 1000"
    rare = f"{_pick('rare', 15, seed)} || {_pick('second', 16, seed)}"
    return f"""
    WITH base AS (SELECT i, {_birth_sql(seed)} AS b, p.* FROM range({start}, {start + count}) r(i),
        name_parts p),
    x AS (SELECT i, b, {f17} AS f17, {kind} AS k, {_phone_sql(seed)} AS phone,
        CASE WHEN {kind} >= 920 AND {kind} < 995 THEN {rare} ELSE {name} END AS name FROM base),
    y AS (SELECT *, {_id_sql("f17")} AS id FROM x)
    SELECT i AS row_id, name,
        CASE WHEN k < 800 THEN CASE
                WHEN {_h(17, seed)} % 100 < 2 AND year(b) < 2000 THEN substr(id, 1, 6) || substr(id, 9, 9)
                WHEN {_h(23, seed)} % 10 < 3 THEN lower(id) ELSE id END
            WHEN k >= 995 THEN (({_h(18, seed)} % 1000000000)::VARCHAR)
            ELSE '' END AS id_number,
        CASE WHEN k < 800 AND {_h(19, seed)} % 10 < 6 THEN {plus86} || phone
            WHEN k >= 800 AND k < 920 THEN {plus86} || phone
            WHEN k >= 995 THEN phone ELSE '' END AS phone,
        CASE WHEN (k < 800 AND {_h(20, seed)} % 10 < 3) OR (k >= 920 AND k < 995)
            THEN {_birth_text("b", seed)} ELSE '' END AS birth_date
    FROM y
    """


def city_residents(con, n: int, seed: int = 7) -> None:
    """``residents``: ``n`` synthetic residents (resident_id, name, id_number, phone,
    birth_date); 80 % have a phone of their own, some of the others share the phone of one of
    their (five) neighbours by id, as households do."""
    tables(con, [])
    f17 = (
        f"{_pick('regions', 11, seed)} || strftime(b, '%Y%m%d') || "
        f"lpad(({_h(12, seed)} % 1000)::VARCHAR, 3, '0')"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE residents AS
        SELECT i + 1 AS resident_id, name, {_id_sql("f17")} AS id_number,
            CASE WHEN {_h(21, seed)} % 10 < 8 THEN phone
                WHEN {_h(22, seed)} % 3 = 0 THEN first(phone) OVER (PARTITION BY i // 5)
                ELSE '' END AS phone, b AS birth_date
        FROM (SELECT i, b, {f17} AS f17, {_name_sql(seed)} AS name,
            {_phone_sql(seed)} AS phone FROM (
            SELECT i, {_birth_sql(seed)} AS b, p.* FROM range({n}) r(i), name_parts p))"""
    )
