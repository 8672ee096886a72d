"""The matching engine's rules as one plain DuckDB SQL cascade: the baseline of
``bench/matching_engine.py`` (no Python in the loop, no hand tuning).

Same rules, in the same order, the first rule with a candidate deciding: 1 the same ID;
2 the ID one edit away (a wrong character, two adjacent ones swapped), auto with the same
phone, or the exact name and the same birth date, review with a similar name; 3 the same
phone, auto with a name that confirms, a household's shared phone needing a close name;
4 the same name and the phone one edit away; 5 the same name and birth date, auto when
unique. Names are compared in SQL (exact after the same normalisation, Jaro-Winkler for
"similar", one character more or less inside the name); homophones are not known to it (the
engine reads pinyin), so its recall on homophone variants is lower. The IDs' check
character and the upgrade of 15-digit IDs are computed in SQL.

Reads the views ``residents`` (resident_id, name, id_number, phone, birth_date) and ``feed``
(row_id, name, id_number, phone[, birth_date as text]); returns the links as
(row_id, resident_id or None, status, rule, candidates).
"""

from __future__ import annotations

TRAD = "陳張劉楊黃趙吳孫馬鄭馮鄧葉蘇許謝韓羅鍾盧蔣呂賈閻範譚鄒陸錢湯喬賀賴龔顧萬龍蕭魯偉華紅軍傑濤靜強豔麗寧曉鳳蘭榮鵬飛東國峯雲"
SIMP = "陈张刘杨黄赵吴孙马郑冯邓叶苏许谢韩罗钟卢蒋吕贾阎范谭邹陆钱汤乔贺赖龚顾万龙萧鲁伟华红军杰涛静强艳丽宁晓凤兰荣鹏飞东国峰云"
W = "[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]"
FORMATS = "['%Y-%m-%d', '%Y/%m/%d', '%Y.%m.%d', '%Y%m%d', '%Y年%m月%d日']"


def _key(col: str) -> str:
    return f"translate(lower(regexp_replace(coalesce({col}, ''), '[\\s·•・.．]', '', 'g')), '{TRAD}', '{SIMP}')"


def _check(f17: str) -> str:
    total = f"list_sum(list_transform(range(1, 18), lambda k: TRY_CAST(substr({f17}, k, 1) AS INTEGER) * {W}[k]))"
    return f"substr('10X98765432', (({total}) % 11)::INTEGER + 1, 1)"


def _phone(col: str) -> str:
    digits = f"regexp_replace(coalesce({col}, ''), '[^0-9]', '', 'g')"
    return f"CASE WHEN regexp_full_match({digits}, '(86|0086)?1[0-9]{{10}}') THEN right({digits}, 11) ELSE '' END"


def _birth(columns: list[str]) -> str:
    if "birth_date" not in columns:
        return "NULL::DATE"
    return f"try_strptime(trim(birth_date::VARCHAR), {FORMATS})::DATE"


def _one_edit(a: str, b: str) -> str:
    swap = f"len(list_filter(range(1, length({a})), lambda i: {a}[i] <> {b}[i] AND {a}[i] = {b}[i + 1] AND {a}[i + 1] = {b}[i])) > 0"
    return f"(length({a}) = length({b}) AND {a} <> {b} AND (hamming({a}, {b}) = 1 OR (hamming({a}, {b}) = 2 AND {swap})))"


def match_sql(con) -> list[tuple]:
    con.execute("SET enable_progress_bar = false")
    columns = [r[0] for r in con.execute("DESCRIBE feed").fetchall()]
    raw_id = "upper(replace(coalesce(id_number, ''), ' ', ''))"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE r AS SELECT resident_id, {_key("name")} AS k,
            coalesce(id_number, '') AS id, {_phone("phone")} AS ph, birth_date AS bd
        FROM residents"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE shared AS SELECT ph FROM r WHERE ph <> ''
        GROUP BY ph HAVING count(*) > 1"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE f AS SELECT row_id, k, id, ph, bd,
            length(id) = 18 AND {_check("id")} = right(id, 1) AS valid FROM (
            SELECT row_id, {_key("name")} AS k, {_phone("phone")} AS ph, {_birth(columns)} AS bd,
                CASE WHEN regexp_full_match({raw_id}, '[0-9]{{15}}')
                    THEN substr({raw_id}, 1, 6) || '19' || substr({raw_id}, 7, 9)
                        || {_check(f"substr({raw_id}, 1, 6) || '19' || substr({raw_id}, 7, 9)")}
                    ELSE {raw_id} END AS id
            FROM feed)"""
    )
    sim = (
        "(f.k = r.k OR jaro_winkler_similarity(f.k, r.k) >= 0.9 "
        "OR (length(f.k) > 1 AND f.k = r.k[2:] || r.k[1]))"
    )
    middle = (
        "(abs(length(f.k) - length(r.k)) = 1 AND levenshtein(f.k, r.k) = 1 "
        "AND f.k[1] = r.k[1] AND f.k[-1] = r.k[-1])"
    )
    birth_eq = "(f.bd IS NOT NULL AND f.bd = r.bd)"
    birth_against = "(f.bd IS NOT NULL AND r.bd IS NOT NULL AND f.bd <> r.bd)"
    id_birth = "(f.bd IS NULL AND try_strptime(substr(f.id, 7, 8), '%Y%m%d')::DATE = r.bd)"
    id_against = "(length(f.id) = 18 AND r.id <> '' AND f.id <> r.id)"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE cand AS
        WITH bad AS (SELECT * FROM f WHERE length(id) = 18 AND NOT valid),
        e AS (SELECT b.row_id, r.resident_id FROM bad b JOIN r ON left(b.id, 8) = left(r.id, 8)
                WHERE {_one_edit("b.id", "r.id")}
            UNION SELECT b.row_id, r.resident_id FROM bad b JOIN r ON right(b.id, 8) = right(r.id, 8)
                WHERE {_one_edit("b.id", "r.id")}),
        pe AS (SELECT f.row_id, r.resident_id FROM f JOIN r ON f.k = r.k
                AND left(f.ph, 5) = left(r.ph, 5) WHERE f.ph <> '' AND {_one_edit("f.ph", "r.ph")}
            UNION SELECT f.row_id, r.resident_id FROM f JOIN r ON f.k = r.k
                AND right(f.ph, 5) = right(r.ph, 5) WHERE f.ph <> '' AND {_one_edit("f.ph", "r.ph")})
        SELECT f.row_id, r.resident_id, 1 AS rule, 100 AS score, 'auto' AS status
            FROM f JOIN r ON f.id = r.id WHERE f.id <> ''
        UNION ALL SELECT f.row_id, r.resident_id, 2,
            CASE WHEN f.ph <> '' AND f.ph = r.ph THEN 95 WHEN f.k = r.k THEN 93 ELSE 85 END,
            CASE WHEN (f.ph <> '' AND f.ph = r.ph) OR ({sim} AND ({birth_eq} OR {id_birth}))
                THEN 'auto' ELSE 'review' END
            FROM e JOIN f USING (row_id) JOIN r USING (resident_id)
            WHERE (f.ph <> '' AND f.ph = r.ph) OR {sim}
        UNION ALL SELECT f.row_id, r.resident_id, 3,
            CASE WHEN f.k = r.k THEN 95 WHEN {sim} THEN 92 ELSE 80 END,
            CASE WHEN {id_against} OR {birth_against} THEN 'review'
                WHEN {sim} THEN 'auto' WHEN s.ph IS NULL AND {middle} THEN 'auto'
                ELSE 'review' END
            FROM f JOIN r ON f.ph = r.ph LEFT JOIN shared s ON s.ph = r.ph
            WHERE f.ph <> '' AND NOT (f.valid AND r.id <> '' AND f.id <> r.id)
              AND CASE WHEN {id_against} OR {birth_against} THEN {sim}
                WHEN s.ph IS NOT NULL THEN {sim} OR ({birth_eq} AND {middle})
                ELSE {sim} OR {middle} OR jaro_winkler_similarity(f.k, r.k) >= 0.6 END
        UNION ALL SELECT f.row_id, r.resident_id, 4, 88,
            CASE WHEN {id_against} THEN 'review' ELSE 'auto' END
            FROM pe JOIN f USING (row_id) JOIN r USING (resident_id)
            WHERE NOT {birth_against} AND NOT (f.valid AND r.id <> '' AND f.id <> r.id)
        UNION ALL SELECT f.row_id, r.resident_id, 5, 90,
            CASE WHEN (f.ph <> '' AND r.ph <> '' AND f.ph <> r.ph) OR {id_against}
                THEN 'review' ELSE 'auto' END
            FROM f JOIN r ON f.k = r.k AND coalesce(f.bd, CASE WHEN f.valid THEN
                try_strptime(substr(f.id, 7, 8), '%Y%m%d')::DATE END) = r.bd
            WHERE f.k <> '' AND NOT (f.valid AND r.id <> '' AND f.id <> r.id)"""
    )
    return con.execute(
        """WITH first AS (SELECT * FROM cand QUALIFY rule = min(rule) OVER (PARTITION BY row_id)),
        top AS (SELECT * FROM first QUALIFY score = max(score) OVER (PARTITION BY row_id)),
        agg AS (SELECT row_id, any_value(rule) AS rule, list(DISTINCT resident_id) AS cands,
                bool_and(status = 'auto') AS auto FROM top GROUP BY row_id)
        SELECT row_id, CASE WHEN len(cands) = 1 THEN cands[1] END,
            CASE WHEN len(cands) = 1 AND auto AND NOT (rule = 5 AND (SELECT count(*) FROM first x
                WHERE x.row_id = agg.row_id) > 1) THEN 'auto' ELSE 'review' END,
            ['', 'id_exact', 'id_one_edit', 'phone', 'phone_one_edit', 'name_birth_date'][rule + 1],
            list_sort(cands)
        FROM agg"""
    ).fetchall()
