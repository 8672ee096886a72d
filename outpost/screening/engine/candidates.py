"""The candidate pairs of every rule (SQL): exact and one-edit IDs, phones, one-edit phones
with the same name, and names with the same birth date; then what each pair has for and
against it (``evidence``)."""

from __future__ import annotations

from .names import _SIMPLIFIED, _TRADITIONAL, SURNAME_READINGS, _char_reading
from .normalise import _ID_ODD, _ID_SHAPED, _name_key_sql, _variants_sql


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
