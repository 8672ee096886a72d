"""The matching engine: every rule, every bad input of the issue, decisions. No database."""

from __future__ import annotations

import datetime

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outpost.core.validators import id_check_character, normalize_phone
from outpost.screening import engine
from outpost.screening.engine import (
    REJECTED,
    FeedColumns,
    ResidentColumns,
    decide,
    identity_key,
    lazy,
    match,
    match_feed,
    name_key,
    name_similarity,
    names,
    normalise,
    normalize_name,
    parse_feed_date,
)


def make_id(first17: str) -> str:
    return first17 + id_check_character(first17)


ZHANG = make_id("21021119800101001")  # 张伟
LI = make_id("21020319900505002")  # 李娜
WANG = make_id("21020419751111003")  # 王芳
D_ZHANG = datetime.date(1980, 1, 1)
D_LI = datetime.date(1990, 5, 5)
D_WANG = datetime.date(1975, 11, 11)
D_MAI = datetime.date(1985, 3, 3)


def residents(*extra):
    rows = [
        (1, "张伟", ZHANG, "13812345678", D_ZHANG),
        (2, "李娜", LI, "13900000000", D_LI),
        (3, "王芳", WANG, "", D_WANG),
        (4, "买买提·艾力", "", "", D_MAI),
        *extra,
    ]
    return columns(rows, ("resident_id", "name", "id_number", "phone", "birth_date"))


def columns(rows, names):
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def feed(*rows):
    """Feed rows as (name, id_number, phone, birth_date); row_ids 100, 101, ..."""
    full = [(100 + i, *row) for i, row in enumerate(rows)]
    return columns(full, ("row_id", "name", "id_number", "phone", "birth_date"))


def only_link(result):
    assert len(result.links) == 1, result
    return result.links[0]


def substitute(id_number: str, position: int, character: str) -> str:
    return id_number[:position] + character + id_number[position + 1 :]


def other_digit(digit: str) -> str:
    return "7" if digit != "7" else "3"


# ---------------------------------------------------------------------------- rule 1


def test_exact_id_is_auto():
    link = only_link(match_feed(residents(), feed(("张伟", ZHANG, "", None))))
    assert (link.row_id, link.resident_id, link.rule, link.status) == (100, 1, "id_exact", "auto")
    assert link.score == 100
    assert link.agreed_fields == ("id_number", "name", "birth_date")


def test_exact_id_wins_even_with_another_name():
    link = only_link(match_feed(residents(), feed(("陌生人", ZHANG, "", None))))
    assert (link.resident_id, link.rule, link.status) == (1, "id_exact", "auto")
    assert "name" not in link.agreed_fields


def test_15_digit_id_in_feed_is_upgraded():
    old = ZHANG[:6] + ZHANG[8:17]
    assert len(old) == 15
    link = only_link(match_feed(residents(), feed(("张伟", old, "", None))))
    assert (link.resident_id, link.rule, link.status) == (1, "id_exact", "auto")


def test_id_with_spaces_full_width_and_lowercase_x():
    resident_id = make_id("21021119700707007")
    if not resident_id.endswith("X"):  # find one ending in X
        resident_id = next(
            make_id(f"21021119700707{n:03d}")
            for n in range(1000)
            if make_id(f"21021119700707{n:03d}").endswith("X")
        )
    raw = " ".join(resident_id[:-1]).replace("1", "１") + "x"
    result = match_feed(
        residents((9, "赵云", resident_id, "", None)), feed(("赵云", raw, "", None))
    )
    assert only_link(result).resident_id == 9


# ---------------------------------------------------------------------------- rule 2


def test_one_wrong_digit_confirmed_by_phone_is_auto():
    typo = substitute(ZHANG, 9, other_digit(ZHANG[9]))
    link = only_link(match_feed(residents(), feed(("张伟", typo, "13812345678", None))))
    assert (link.resident_id, link.rule, link.status, link.detail) == (
        1,
        "id_one_edit",
        "auto",
        "digit",
    )
    assert link.agreed_fields == ("name", "phone")


def test_one_wrong_digit_with_the_exact_name_is_auto():
    # Anywhere (in the date digits too), unless the feed gives another birth date.
    outside = substitute(LI, 3, other_digit(LI[3]))
    in_date = substitute(LI, 9, other_digit(LI[9]))
    result = match_feed(
        residents(),
        feed(
            ("李娜", outside, "", None),
            ("李娜", in_date, "", "1990/5/5"),
            ("李娜", in_date, "", None),
        ),
    )
    assert [(k.resident_id, k.rule, k.status) for k in result.links] == [
        (2, "id_one_edit", "auto")
    ] * 3


def test_one_wrong_digit_with_a_homophone_name_needs_the_birth_date():
    outside = substitute(LI, 3, other_digit(LI[3]))
    in_date = substitute(LI, 9, other_digit(LI[9]))
    result = match_feed(residents(), feed(("李纳", outside, "", None), ("李纳", in_date, "", None)))
    assert [(k.resident_id, k.rule, k.status) for k in result.links] == [
        (2, "id_one_edit", "auto"),
        (2, "id_one_edit", "review"),
    ]


def test_one_wrong_digit_confirmed_by_name_only_is_review():
    # Another birth date given, with the exact name.
    outside = substitute(LI, 3, other_digit(LI[3]))
    link = only_link(match_feed(residents(), feed(("李娜", outside, "", "1991-01-01"))))
    assert (link.resident_id, link.rule, link.status) == (2, "id_one_edit", "review")


def test_one_wrong_digit_unconfirmed_is_no_match():
    typo = substitute(LI, 3, other_digit(LI[3]))
    result = match_feed(residents(), feed(("周杰", typo, "13100000000", None)))
    assert result.links == []
    assert result.unmatched == [100]


def test_adjacent_swap():
    i = next(i for i in range(6, 16) if WANG[i] != WANG[i + 1])
    swapped = WANG[:i] + WANG[i + 1] + WANG[i] + WANG[i + 2 :]
    link = only_link(match_feed(residents(), feed(("王芳", swapped, "", None))))
    assert (link.resident_id, link.rule, link.detail, link.status) == (
        3,
        "id_one_edit",
        "swap",
        "auto",
    )


def test_wrong_check_character():
    wrong = ZHANG[:17] + ("X" if ZHANG[17] != "X" else "0")
    link = only_link(match_feed(residents(), feed(("章伟", wrong, "+86 138 1234 5678", None))))
    assert (link.resident_id, link.rule, link.detail, link.status) == (
        1,
        "id_one_edit",
        "check",
        "auto",
    )
    assert link.score == 95  # phone and (homophone) name both confirm


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    region=st.sampled_from(["210211", "210203", "420102", "110101"]),
    birth=st.dates(datetime.date(1930, 1, 1), datetime.date(2019, 12, 31)),
    sequence=st.integers(0, 999),
    edit=st.sampled_from(["digit", "swap", "check"]),
    position=st.integers(0, 16),
    data=st.data(),
)
def test_any_one_edit_of_a_valid_id_finds_the_resident(
    region, birth, sequence, edit, position, data
):
    real = make_id(f"{region}{birth:%Y%m%d}{sequence:03d}")
    if edit == "digit":
        new = data.draw(st.sampled_from([d for d in "0123456789" if d != real[position]]))
        typo = substitute(real, position, new)
    elif edit == "swap":
        if real[position] == real[position + 1]:
            return
        typo = real[:position] + real[position + 1] + real[position] + real[position + 2 :]
    else:
        typo = real[:17] + data.draw(st.sampled_from([c for c in "0123456789X" if c != real[17]]))
    result = match_feed(
        residents((7, "刘洋", real, "13700000007", birth)),
        feed(("刘洋", typo, "137-0000-0007", None)),
    )
    link = only_link(result)
    assert (link.resident_id, link.rule, link.status, link.detail) == (
        7,
        "id_one_edit",
        "auto",
        edit,
    )


# ---------------------------------------------------------------------------- rule 3


def test_all_blank_id_column_and_phone_with_plus86_and_dashes():
    result = match_feed(
        residents(),
        feed(
            ("张伟", "", "+86 138-1234-5678", None),
            ("李娜", "", "+86-139-0000-0000", None),
            ("王芳", "", "", D_WANG),
        ),
    )
    links = result.by_row()
    assert (links[100].resident_id, links[100].rule, links[100].status) == (1, "phone", "auto")
    assert (links[101].resident_id, links[101].rule, links[101].status) == (2, "phone", "auto")
    assert (links[102].resident_id, links[102].rule) == (3, "name_birth_date")
    assert result.unmatched == []


def test_phone_with_homophone_name_is_auto():
    link = only_link(match_feed(residents(), feed(("章伟", "", "13812345678", None))))
    assert (link.resident_id, link.rule, link.status) == (1, "phone", "auto")
    assert link.agreed_fields == ("name", "phone")


def test_phone_with_a_similar_name_is_review_and_with_another_name_no_match():
    result = match_feed(
        residents(),
        feed(("张伟东", "", "13812345678", None), ("刘德华", "", "13812345678", None)),
    )
    link = only_link(result)
    assert (link.row_id, link.resident_id, link.rule, link.status) == (100, 1, "phone", "review")
    assert result.unmatched == [101]


def test_phone_does_not_link_people_with_different_valid_ids():
    stranger = make_id("42010219800101001")
    result = match_feed(residents(), feed(("张伟", stranger, "13812345678", D_ZHANG)))
    assert result.links == []


# ---------------------------------------------------------------------------- rule 4


def test_name_and_birth_date_unique_exact_is_auto():
    link = only_link(match_feed(residents(), feed(("王芳", "", "", D_WANG))))
    assert (link.resident_id, link.rule, link.status) == (3, "name_birth_date", "auto")
    assert link.agreed_fields == ("name", "birth_date")


def test_name_and_birth_date_homophone_is_review():
    link = only_link(match_feed(residents(), feed(("汪芳", "", "", D_WANG))))
    assert (link.resident_id, link.rule, link.status) == (3, "name_birth_date", "review")


def test_separator_in_name():
    result = match_feed(
        residents(),
        feed(
            ("买买提艾力", "", "", D_MAI),
            ("买买提•艾力", "", "", D_MAI),
            ("买买提 . 艾力", "", "", D_MAI),
        ),
    )
    assert [(link.resident_id, link.status) for link in result.links] == [(4, "auto")] * 3


def test_stranger_with_same_name_and_birth_date_but_another_id_is_not_linked():
    stranger = make_id("42010219751111004")
    assert match_feed(residents(), feed(("王芳", stranger, "", D_WANG))).links == []


def test_birth_date_derived_from_a_valid_feed_id_for_residents_without_id():
    mai_id = make_id("65010219850303005")
    link = only_link(match_feed(residents(), feed(("买买提·艾力", mai_id, "", None))))
    assert (link.resident_id, link.rule) == (4, "name_birth_date")


# ---------------------------------------------------------------------------- bad input


def test_zero_row_feed():
    result = match_feed(residents(), feed())
    assert result.links == [] and result.unmatched == []


def test_missing_column_is_a_clear_error():
    bad = feed(("张伟", ZHANG, "", None))
    del bad["phone"]
    with pytest.raises(ValueError, match="missing columns phone"):
        match_feed(residents(), bad)


def test_same_person_twice_in_the_feed():
    result = match_feed(
        residents(), feed(("张伟", ZHANG, "", None), ("张 伟", "", "138 1234 5678", None))
    )
    assert [(link.row_id, link.resident_id) for link in result.links] == [(100, 1), (101, 1)]
    assert all(link.status == "auto" for link in result.links)


def test_equally_close_to_two_residents_goes_to_review_with_both():
    twin = (5, "王芳", "", "", D_WANG)  # same name and birth date as resident 3, no ID
    link = only_link(match_feed(residents(twin), feed(("王芳", "", "", D_WANG))))
    assert link.status == "review"
    assert link.resident_id is None
    assert {c.resident_id for c in link.candidates} == {3, 5}


def test_shared_phone_tie_goes_to_review():
    same = (6, "章伟", "", "13812345678", None)  # homophone of 张伟, same household phone
    link = only_link(match_feed(residents(same), feed(("张卫", "", "13812345678", None))))
    assert (link.status, link.resident_id) == ("review", None)
    assert {c.resident_id for c in link.candidates} == {1, 6}


def test_dataclass_columns_as_input():
    res = ResidentColumns(**residents())
    rows = FeedColumns(["a", "b"], ["张伟", "李四"], [ZHANG, None], ["", None], [None, None])
    result = match_feed(res, rows)
    assert [(link.row_id, link.resident_id) for link in result.links] == [("a", 1)]
    assert result.unmatched == ["b"]


def test_duckdb_relations_as_input():
    con = duckdb.connect()
    res = con.sql(
        "SELECT 1 AS resident_id, '张伟' AS name, ? AS id_number, '' AS phone, "
        "NULL::DATE AS birth_date",
        params=[ZHANG],
    )
    rows = con.sql(
        "SELECT 'r1' AS row_id, '张伟' AS name, ? AS id_number, NULL AS phone, "
        "NULL::DATE AS birth_date",
        params=[ZHANG],
    )
    link = only_link(match_feed(res, rows, con=con))
    assert (link.row_id, link.resident_id) == ("r1", 1)


def test_residents_made_in_the_background_as_an_arrow_table_give_the_same_links():
    """Encrypted residents are decrypted by a function the engine calls in a thread while it
    reads the feed; its Arrow table links as the columns do."""
    given = residents()
    rows = feed(("张伟", ZHANG, None, None), ("李娜", None, "139-0000-0000", None))
    expected = [(link.row_id, link.resident_id) for link in match_feed(given, rows).links]

    def made_later():
        return pa.table(
            {
                "resident_id": pa.array(given["resident_id"], pa.int64()),
                "name": given["name"],
                "id_number": given["id_number"],
                "phone": given["phone"],
                "birth_date": pa.array(given["birth_date"], pa.date32()),
            }
        )

    links = match_feed(made_later, rows).links
    assert [(link.row_id, link.resident_id) for link in links] == expected == [(100, 1), (101, 2)]


def test_an_error_of_the_background_residents_reaches_the_caller():
    def failing():
        raise ValueError("the key ring is wrong")

    with pytest.raises(ValueError, match="key ring"):
        match_feed(failing, feed(("张伟", ZHANG, None, None)))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-01-23", datetime.date(2020, 1, 23)),
        ("2020/1/23", datetime.date(2020, 1, 23)),
        ("2020年1月23日", datetime.date(2020, 1, 23)),
        ("20200123", datetime.date(2020, 1, 23)),
        (43853, datetime.date(2020, 1, 23)),
        ("43853", datetime.date(2020, 1, 23)),
        ("2020-01-23 08:30:00", datetime.date(2020, 1, 23)),
        (datetime.datetime(2020, 1, 23, 8, 30), datetime.date(2020, 1, 23)),
        ("", None),
        (None, None),
        ("2020-02-30", None),
        ("yesterday", None),
    ],
)
def test_parse_feed_date(raw, expected):
    assert parse_feed_date(raw) == expected


# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("a", "b"),
    [("张伟", "章伟"), ("单雄信", "善雄信"), ("解缙", "谢缙"), ("区永", "欧永"), ("仇英", "邱英")],
)
def test_homophones_score_high(a, b):
    assert name_similarity(a, b) >= 90


def test_name_similarity_orders_sensibly():
    assert name_similarity("张伟", "张伟") == 100
    assert name_similarity("买买提·艾力", "买买提艾力") == 100
    assert 60 <= name_similarity("张伟", "张伟东") < 90
    assert name_similarity("张伟", "刘德华") < 60
    assert name_similarity("", "张伟") == 0


def test_normalize_name():
    assert normalize_name(" 买买提 • 艾力 ") == "买买提·艾力"
    assert normalize_name("ＪＯＨＮ　Ｓｍｉｔｈ") == "johnsmith"
    assert name_key("买买提.艾力") == "买买提艾力"


def test_sql_and_python_agree_on_name_keys_and_identity_keys():
    odd = ["ＪＯＨＮ　Ｓｍｉｔｈ", " 买买提 • 艾力", "张\t伟", "Anna-Lena"]
    rows = [(name, "", "", None) for name in odd]
    rows.append(("李娜", LI[:6] + LI[8:17], "+86 139-0000-0000", D_LI))
    result = match_feed(residents(), feed(*rows))
    links = result.by_row()
    assert 104 in links
    assert links[104].identity_key == identity_key(
        LI[:6] + LI[8:17], "+86 139-0000-0000", "李娜", D_LI
    )
    # the Python twin of the SQL name key, checked on rows that are decided by key
    decisions = {identity_key("", "", name, None): 3 for name in odd}
    decided = match_feed(residents(), feed(*rows), decisions).by_row()
    assert [decided[100 + i].status for i in range(4)] == ["decided"] * 4


# ---------------------------------------------------------------------------- decisions


def test_accepted_decision_is_remembered():
    rows = feed(("汪芳", "", "", D_WANG))
    first = only_link(match_feed(residents(), rows))
    assert first.status == "review"
    again = only_link(match_feed(residents(), rows, {first.identity_key: 3}))
    assert (again.resident_id, again.status, again.rule) == (3, "decided", "name_birth_date")


def test_rejected_decision_is_not_proposed_again():
    rows = feed(("汪芳", "", "", D_WANG))
    first = only_link(match_feed(residents(), rows))
    again = match_feed(residents(), rows, {first.identity_key: REJECTED})
    assert again.links == [] and again.unmatched == [100]


def test_rejecting_one_tied_candidate_leaves_the_other():
    twin = (5, "王芳", "", "", D_WANG)
    rows = feed(("王芳", "", "", D_WANG))
    first = only_link(match_feed(residents(twin), rows))
    again = only_link(match_feed(residents(twin), rows, {(first.identity_key, 5): REJECTED}))
    assert (again.resident_id, again.status) == (3, "review")  # the rest is still reviewed


def test_decision_for_a_row_no_rule_proposes():
    rows = feed(("赵六", "", "", None))
    key = identity_key("", "", "赵六", None)
    link = only_link(match_feed(residents(), rows, {key: 2}))
    assert (link.resident_id, link.status, link.rule) == (2, "decided", "decision")


# ---------------------------------------------------------------------------- engine speed-ups


def test_name_and_birth_date_with_another_phone_is_review_not_auto():
    # The same name and birth date, but both sides have a phone and the phones differ.
    extra = (8, "周杰", "", "13600000008", D_LI)
    link = only_link(match_feed(residents(extra), feed(("周杰", "", "13900000999", D_LI))))
    assert (link.resident_id, link.rule, link.status) == (8, "name_birth_date", "review")
    assert "phone" not in link.agreed_fields
    # without a phone in the feed it is still auto
    link = only_link(match_feed(residents(extra), feed(("周杰", "", "", D_LI))))
    assert (link.resident_id, link.status) == (8, "auto")


def test_last_digit_swapped_with_an_x_check_character():
    real = next(
        make_id(f"21021120040405{n:03d}")
        for n in range(1000)
        if make_id(f"21021120040405{n:03d}").endswith("X")
    )
    typo = real[:16] + "X" + real[16]
    link = only_link(
        match_feed(
            residents((7, "刘洋", real, "13700000007", None)),
            feed(("刘洋", typo, "137-0000-0007", None)),
        )
    )
    assert (link.resident_id, link.rule, link.detail, link.status) == (
        7,
        "id_one_edit",
        "swap",
        "auto",
    )


ODD_IDS = [
    ZHANG,
    ZHANG.lower(),
    ZHANG[:6] + ZHANG[8:17],  # 15 digits, upgraded in SQL
    "990211" + "800101001",  # 15 digits, no such province: not upgraded
    "210211" + "991231001",  # 15 digits, 1999-12-31: upgraded
    "210211" + "800230001",  # 15 digits, 30 February: not upgraded
    " ".join(ZHANG),
    ZHANG.replace("1", "１"),  # full-width: the validators' path
    ZHANG[:-1] + "x",
    "3.60426E+17",
    "无",
    "1234567890123456 ",
    "",
]
ODD_PHONES = [
    "13600000008",
    "+86 136-0000-0008",
    "+86-13600000008",
    "8613600000008",
    "0086 136 0000 0008",
    "136.0000.0008",
    "１３６００００００08",
    "(0411) 8465 0000",
]


@pytest.mark.parametrize("raw_id", ODD_IDS)
@pytest.mark.parametrize("raw_phone", ODD_PHONES[:3])
def test_sql_normalisation_of_ids_agrees_with_the_validators(raw_id, raw_phone):
    # 周杰 has no ID: the phone links whatever ID the feed row carries, and the row's
    # identity key (computed in SQL) must equal the Python one.
    zhou = columns(
        [(8, "周杰", "", "13600000008", None)],
        ("resident_id", "name", "id_number", "phone", "birth_date"),
    )
    link = only_link(match_feed(zhou, feed(("周杰", raw_id, raw_phone, None))))
    assert link.resident_id == 8
    assert link.identity_key == identity_key(raw_id, raw_phone, "周杰", None)


@pytest.mark.parametrize("raw_phone", ODD_PHONES)
def test_sql_normalisation_of_phones_agrees_with_the_validators(raw_phone):
    extra = (8, "周杰", "", "13600000008", None)
    result = match_feed(residents(extra), feed(("周杰", "", raw_phone, D_LI)))
    linked = normalize_phone(raw_phone) == "13600000008"
    assert [link.resident_id for link in result.links] == ([8] if linked else [])
    decided = match_feed(
        residents(extra),
        feed(("周杰", "", raw_phone, D_LI)),
        {identity_key("", raw_phone, "周杰", D_LI): 3},
    )
    assert [link.status for link in decided.links] == ["decided"]


def test_many_unmatched_rows_come_back_lazily(monkeypatch):
    monkeypatch.setattr(decide, "EAGER_UNMATCHED", 1)
    result = match_feed(
        residents(), feed(("张伟", ZHANG, "", None), ("赵六", "", "", None), ("钱七", "", "", None))
    )
    assert isinstance(result.unmatched, engine.UnmatchedRows)
    assert len(result.unmatched) == 2
    assert result.unmatched == [101, 102]
    assert list(result.unmatched) == [101, 102] and result.unmatched[0] == 101


def test_many_links_come_back_lazily_and_the_same_whatever_the_batch(monkeypatch):
    # A city's millions of links: the candidate pairs are streamed from DuckDB a batch at a
    # time (a row's pairs may straddle two batches), the links kept as Arrow and made into
    # Link objects as they are iterated. Every kind of link comes back as the eager list has it:
    # auto, a tie with both candidates, an accepted decision, each with its fields.
    twin = (5, "王芳", "", "", D_WANG)
    rows = feed(
        ("张伟", ZHANG, "", None),
        ("王芳", "", "", D_WANG),
        ("赵六", "", "", None),
        ("李娜", "", "13900000000", D_LI),
        ("张 伟", "", "138 1234 5678", None),
    )
    decisions = {identity_key("", "13900000000", "李娜", D_LI): 2}
    expected = match_feed(residents(twin), rows, decisions)
    assert isinstance(expected.links, list)
    assert [(k.row_id, k.resident_id, k.status) for k in expected.links] == [
        (100, 1, "auto"),
        (101, None, "review"),
        (103, 2, "decided"),
        (104, 1, "auto"),
    ]
    assert [c.resident_id for c in expected.links[1].candidates] == [3, 5]
    monkeypatch.setattr(decide, "EAGER_LINKS", 0)
    monkeypatch.setattr(decide, "PAIRS_BATCH", 1)
    monkeypatch.setattr(lazy, "LINKS_BATCH", 1)
    streamed = match_feed(residents(twin), rows, decisions)
    assert isinstance(streamed.links, engine.LinkRows) and len(streamed.links) == 4
    assert list(streamed.links) == expected.links and streamed.links[1] == expected.links[1]
    assert streamed.links[-1] == expected.links[-1] and streamed.links[1:3] == expected.links[1:3]
    with pytest.raises(IndexError):
        streamed.links[4]
    assert streamed.by_row() == expected.by_row()
    assert streamed.unmatched == expected.unmatched == [102]
    # Text ids (row and resident) come back as text, a tie's candidates with them.
    text_ids = {**residents(twin), "resident_id": ["r1", "r2", "r3", "r4", "r5"]}
    lazy_text = match_feed(text_ids, {**rows, "row_id": list("abcde")}, {})
    assert [(k.row_id, k.resident_id) for k in lazy_text.links] == [
        ("a", "r1"),
        ("b", None),
        ("d", "r2"),
        ("e", "r1"),
    ]
    assert [c.resident_id for c in list(lazy_text.links)[1].candidates] == ["r3", "r5"]


def test_own_connection_has_a_memory_limit_and_a_private_spill_directory(monkeypatch, tmp_path):
    # What spills holds IDs and phones in clear: a directory of the run's own, removed after
    # the run, or once a lazy list of unmatched rows (which keeps the connection) is gone.
    made = []

    def mkdtemp(prefix):
        made.append(tmp_path / f"{prefix}{len(made)}")
        made[-1].mkdir()
        return str(made[-1])

    monkeypatch.setattr(match.tempfile, "mkdtemp", mkdtemp)
    con, spill = match._own_connection()
    assert con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == spill
    # 2GB as DuckDB reports it (in GiB), not its default of 80 % of the machine's memory.
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "1.8 GiB"
    con.close()
    match_feed(residents(), feed(("张伟", ZHANG, "", None), ("赵六", "", "", None)))
    assert made[-1].parent == tmp_path and not made[-1].exists()
    monkeypatch.setattr(decide, "EAGER_UNMATCHED", 1)
    result = match_feed(residents(), feed(("赵六", "", "", None), ("钱七", "", "", None)))
    assert made[-1].exists()
    assert list(result.unmatched) == [100, 101]
    del result
    assert not made[-1].exists()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="0123456789", min_size=17, max_size=17),
            st.sampled_from(["0" * 17, "9" * 17, "1" * 17, "65" + "9" * 15, "10" + "0" * 15]),
        ),
        min_size=1,
        max_size=30,
    ),
    st.randoms(use_true_random=False),
)
def test_sql_check_character_test_agrees_with_the_validators(prefixes, rng):
    # The SQL checksum (arithmetic on the ID as numbers) flags exactly the IDs whose check
    # character is wrong, for every check character (X included) and extreme digits.
    ids = [p + rng.choice("0123456789X") for p in prefixes]
    con = duckdb.connect()
    con.execute(
        "CREATE TEMP TABLE t_n AS SELECT unnest($1::VARCHAR[]) AS id_n, 1::UTINYINT AS id_state",
        [ids],
    )
    normalise._bad_ids(con, "t")
    bad = {ids[i] for (i,) in con.execute("SELECT idx FROM t_bad").fetchall()}
    assert bad == {i for i in ids if i[17] != id_check_character(i[:17])}
    con.close()


def test_pinyin_dictionary_read_from_its_file_is_pypinyins(monkeypatch):
    # Read from pypinyin's JSON file when the package is not imported yet: the same content.
    import sys

    from pypinyin.pinyin_dict import pinyin_dict

    monkeypatch.delitem(sys.modules, "pypinyin.pinyin_dict")
    names._pinyin_dict.cache_clear()
    try:
        from_file = names._pinyin_dict()
    finally:
        names._pinyin_dict.cache_clear()
    assert from_file is not pinyin_dict
    assert from_file == pinyin_dict
    assert from_file[ord("单")] == pinyin_dict[ord("单")] == "dān,chán,shàn"
