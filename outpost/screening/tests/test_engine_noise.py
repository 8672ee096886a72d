"""The matching engine on the noise of real feeds (issue 21): phone typos, households sharing
one phone, traditional characters, swapped names, a middle character more or less, two
wrong ID digits, "·" in its forms, birth dates as text, feeds without birth dates. No
database; a handful of residents each."""

from __future__ import annotations

import datetime

import duckdb
import pyarrow as pa
import pytest

from outpost.core.validators import id_check_character
from outpost.screening.engine import match_feed, name_key, normalise


def make_id(first17: str) -> str:
    return first17 + id_check_character(first17)


ZHANG = make_id("21021119800101001")
D_ZHANG = datetime.date(1980, 1, 1)
D_HONG = datetime.date(2012, 6, 1)
D_MAI = datetime.date(1985, 3, 3)
HOME = "13612345678"  # the Zhangs' household phone, carried by the father and the daughter


def residents():
    rows = [
        (1, "张伟", ZHANG, HOME, D_ZHANG),
        (2, "张小红", "", HOME, D_HONG),
        (3, "陈伟", make_id("21020319900505002"), "13900000000", datetime.date(1990, 5, 5)),
        (4, "买买提·艾力", make_id("65010219850303003"), "", D_MAI),
        (5, "刘洋", make_id("21020419751111004"), "13711112222", datetime.date(1975, 11, 11)),
        (6, "王芳", "", "18800001111", datetime.date(1970, 2, 2)),
    ]
    names = ("resident_id", "name", "id_number", "phone", "birth_date")
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def feed(*rows, birth=True):
    """Feed rows as (name, id_number, phone, birth_date); row_ids 100, 101, ...; without the
    birth date column when ``birth`` is False."""
    names = ("row_id", "name", "id_number", "phone", "birth_date")[: 5 if birth else 4]
    full = [(100 + i, *row)[: len(names)] for i, row in enumerate(rows)]
    return {name: [row[i] for row in full] for i, name in enumerate(names)}


def outcome(result):
    return [(k.row_id, k.resident_id, k.rule, k.status) for k in result.links]


# ---------------------------------------------------------------------------- phone typos


def test_phone_one_wrong_digit_or_two_swapped_with_the_name_is_auto():
    result = match_feed(
        residents(),
        feed(
            ("刘洋", "", "13711112232", None),  # one wrong digit
            ("刘洋", "", "13711121222", "1975-11-11"),  # two adjacent digits swapped
            ("陳偉", "", "13900000010", None),  # traditional form of the name
        ),
    )
    assert outcome(result) == [
        (100, 5, "phone_one_edit", "auto"),
        (101, 5, "phone_one_edit", "auto"),
        (102, 3, "phone_one_edit", "auto"),
    ]
    assert [k.detail for k in result.links] == ["digit", "swap", "digit"]


def test_phone_typo_with_the_name_ending_in_a_separator_or_a_space_is_auto():
    # Rule 4 joins on the name's last character first: here it is not the key's.
    result = match_feed(
        residents(),
        feed(("刘洋．", "", "13711112232", None), ("陳 偉 ", "", "13900000010", None)),
    )
    assert outcome(result) == [
        (100, 5, "phone_one_edit", "auto"),
        (101, 3, "phone_one_edit", "auto"),
    ]


def test_phone_typo_without_the_name_or_with_another_birth_date_is_no_link():
    result = match_feed(
        residents(),
        feed(
            ("赵磊", "", "13711112232", None),  # another name
            ("刘洋", "", "13711112232", "1980-01-01"),  # the birth date says someone else
            ("刘洋", "", "13722113322", None),  # two digits wrong: not one edit
        ),
    )
    assert result.links == []


def test_phone_typo_with_the_right_id_links_on_the_id():
    link = match_feed(
        residents(), feed(("刘洋", ZHANG[:0] + residents()["id_number"][4], "13711112232", None))
    ).links[0]
    assert (link.resident_id, link.rule, link.status) == (5, "id_exact", "auto")


# ---------------------------------------------------------------------------- shared phones


def test_household_phone_links_the_member_whose_name_it_carries():
    result = match_feed(
        residents(), feed(("张小红", "", HOME, None), ("张伟", "", "+86 136-1234-5678", None))
    )
    assert outcome(result) == [(100, 2, "phone", "auto"), (101, 1, "phone", "auto")]


def test_stranger_with_the_family_surname_on_a_household_phone_is_not_even_reviewed():
    result = match_feed(
        residents(),
        feed(("张建国", "", HOME, None), ("张小明", "", HOME, None), ("张小伟", "", HOME, None)),
    )
    assert result.links == []
    assert list(result.unmatched) == [100, 101, 102]


def test_similar_name_on_a_household_phone_with_the_same_birth_date_is_review():
    link = match_feed(residents(), feed(("张晓丽", "", HOME, "2012-06-01"))).links[0]
    assert (link.resident_id, link.rule, link.status) == (2, "phone", "review")


def test_similar_name_on_a_personal_phone_is_still_review():
    link = match_feed(residents(), feed(("刘阳光", "", "13711112222", None))).links[0]
    assert (link.resident_id, link.rule, link.status) == (5, "phone", "review")


# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "phone", "birth", "expected"),
    [
        ("陳偉", "", "1990-05-05", (3, "name_birth_date", "auto")),  # traditional characters
        ("伟陈", "13900000000", None, (3, "phone", "auto")),  # given name first
        ("刘小洋", "13711112222", None, (5, "phone", "auto")),  # a middle character added
        ("买买提•艾力", "", "1985-03-03", (4, "name_birth_date", "auto")),
        ("买买提・艾力", "", "1985-03-03", (4, "name_birth_date", "auto")),
        ("买买提.艾力", "", "1985-03-03", (4, "name_birth_date", "auto")),
        ("买买提 艾力", "", "1985-03-03", (4, "name_birth_date", "auto")),
        ("买买提艾力", "", "1985-03-03", (4, "name_birth_date", "auto")),
    ],
)
def test_names_written_differently(name, phone, birth, expected):
    link = match_feed(residents(), feed((name, "", phone, birth))).links[0]
    assert (link.resident_id, link.rule, link.status) == expected


def test_middle_character_on_a_household_phone_is_no_link():
    # 张小伟 on the Zhangs' phone may be a son the registry does not have.
    assert match_feed(residents(), feed(("张小伟", "", HOME, None))).links == []


def test_name_key_sql_simplifies_as_python_does():
    names = ["陳偉", "劉 洋", "買買提·艾力", "張三", "ＡＢＣ", "鍾鐘"]
    con = duckdb.connect()
    got = con.execute(
        f"SELECT {normalise._name_key_sql('n')} FROM unnest($1::VARCHAR[]) t(n)", [names]
    ).fetchall()
    assert [row[0] for row in got] == [name_key(n) for n in names]
    assert name_key("陳偉") == "陈伟"


# ---------------------------------------------------------------------------- IDs


def test_two_wrong_id_digits_are_never_auto():
    zhang = ZHANG
    typo = (
        zhang[:3]
        + ("7" if zhang[3] != "7" else "3")
        + zhang[4:15]
        + ("7" if zhang[15] != "7" else "3")
        + zhang[16:]
    )
    typo = typo[:17] + ("1" if typo[17] != "1" else "2")  # and a check character that fails
    result = match_feed(
        residents(),
        feed(("张伟", typo, "", "1980-01-01"), ("张伟", typo, HOME, None)),
    )
    assert outcome(result) == [
        (100, 1, "name_birth_date", "review"),
        (101, 1, "phone", "review"),
    ]


def test_15_digit_id_is_upgraded():
    old = ZHANG[:6] + ZHANG[8:17]
    link = match_feed(residents(), feed(("张伟", old, "", None))).links[0]
    assert (link.resident_id, link.rule, link.status) == (1, "id_exact", "auto")


# ---------------------------------------------------------------------------- birth dates


@pytest.mark.parametrize(
    "text", ["1975-11-11", "1975/11/11", "19751111", "1975年11月11日", "1975.11.11", "27709"]
)
def test_birth_dates_as_text_in_the_formats_feeds_use(text):
    link = match_feed(residents(), feed(("刘洋", "", "", text))).links[0]
    assert (link.resident_id, link.rule, link.status) == (5, "name_birth_date", "auto")


def test_unreadable_birth_date_is_no_birth_date():
    assert match_feed(residents(), feed(("刘洋", "", "", "November"))).links == []


def test_feed_without_a_birth_date_column():
    rows = feed(("刘洋", "", "13711112232", None), ("王芳", "", "18800001111", None), birth=False)
    assert "birth_date" not in rows
    assert outcome(match_feed(residents(), rows)) == [
        (100, 5, "phone_one_edit", "auto"),
        (101, 6, "phone", "auto"),
    ]
    con = duckdb.connect()
    table = pa.table(
        {k: pa.array(v, pa.int64() if k == "row_id" else pa.string()) for k, v in rows.items()}
    )
    relation = con.from_arrow(table)
    assert outcome(match_feed(residents(), relation, con=con)) == [
        (100, 5, "phone_one_edit", "auto"),
        (101, 6, "phone", "auto"),
    ]
