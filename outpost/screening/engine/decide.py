"""Each feed row's link from its candidate pairs (Python, streamed from DuckDB in feed
order): the rules' verdicts, ties, reviewers' decisions."""

from __future__ import annotations

import gc
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from .lazy import LinkRows, UnmatchedRows, _LinkBatches
from .names import _CJK_RE, _middle_edit, _name_similarity_keys
from .normalise import _name_key_sql
from .records import (
    AUTO,
    DECIDED,
    NAME_CONFIRMS,
    NAME_REVIEW,
    REJECTED,
    REVIEW,
    RULE_DECISION,
    RULE_ID_EXACT,
    RULE_ID_ONE_EDIT,
    RULE_NAME_BIRTH_DATE,
    RULE_PHONE,
    RULE_PHONE_ONE_EDIT,
    Candidate,
    Link,
    MatchResult,
)

_RUNS = itertools.count()
EAGER_UNMATCHED = 50_000  # up to this many unmatched row ids come back as a plain list
EAGER_LINKS = 100_000  # up to this many links come back as a plain list


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
