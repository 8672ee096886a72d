"""Tests of outpost.core.validators: resident ID numbers (GB 11643) and phone numbers."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from outpost.core.validators import (
    PROVINCE_CODES,
    id_birth_date,
    id_check_character,
    id_sex,
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_mobile,
    validate_phone,
)

VALID = "360426199101010071"
TODAY = datetime.date(2020, 2, 1)


@pytest.fixture(autouse=True)
def _english():
    # The project's default language is zh-hans; assert on the English source strings.
    with translation.override("en"):
        yield


def id_error(raw, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_id_number(raw, **kwargs)
    return info.value


def phone_error(function, raw) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        function(raw)
    return info.value


def with_check(first17: str) -> str:
    return first17 + id_check_character(first17)


# ---------------------------------------------------------------------------- ID: examples


def test_valid_id_is_returned_unchanged():
    assert validate_id_number(VALID) == VALID
    assert id_check_character(VALID[:17]) == "1"


def test_wrong_check_character_names_the_expected_one():
    error = id_error("360426199101010072")
    assert error.code == "id_check_character"
    assert "expected 1" in error.messages[0]
    assert "found 2" in error.messages[0]


def test_check_character_x():
    # 11010519491231002X is the example of GB 11643 itself.
    assert id_check_character("11010519491231002") == "X"
    assert validate_id_number("11010519491231002X") == "11010519491231002X"
    assert validate_id_number("11010519491231002x") == "11010519491231002X"
    assert validate_id_number("11010519491231002ｘ") == "11010519491231002X"
    assert validate_id_number("11010519491231002Ｘ") == "11010519491231002X"


def test_x_elsewhere_than_last_is_rejected():
    assert id_error("1101051949123100X2").code == "id_characters"


def test_full_width_digits_and_spaces():
    assert validate_id_number("３６０４２６１９９１０１０１００７１") == VALID
    assert validate_id_number(" 360426 19910101 0071 ") == VALID
    assert validate_id_number("360426\u300019910101\t0071\u00a0") == VALID
    assert validate_id_number("３６０４２６\u3000１９９１０１０１\u3000００７１") == VALID


def test_fifteen_digit_number_is_upgraded():
    old = VALID[:6] + VALID[8:17]  # drop "19" of the year and the check character
    assert old == "360426910101007"
    assert validate_id_number(old) == VALID


def test_fifteen_digit_number_with_x_is_rejected():
    assert id_error("36042691010100X").code == "id_characters"


def test_empty():
    for raw in ("", "   ", "\u3000", None):
        assert id_error(raw).code == "id_empty"


@pytest.mark.parametrize("raw", ["36042619910101007", "3604261991010100711", "12345"])
def test_wrong_length(raw):
    assert id_error(raw).code == "id_length"


@pytest.mark.parametrize("raw", ["36042619910101007A", "360426-19910101-0071", "３６０4２6abc"])
def test_wrong_characters(raw):
    assert id_error(raw).code == "id_characters"


def test_impossible_birth_date():
    error = id_error(with_check("36042619910230007"))
    assert error.code == "id_birth_date"
    assert "impossible" in error.messages[0]


def test_birth_date_in_the_future():
    tomorrow = with_check("36042620200202007")
    error = id_error(tomorrow, today=TODAY)
    assert error.code == "id_birth_date"
    assert "future" in error.messages[0]
    assert validate_id_number(with_check("36042620200201007"), today=TODAY)
    # Without `today`, the real date is used.
    assert id_error(with_check("36042629990101007")).code == "id_birth_date"


def test_birth_date_before_1890():
    assert id_error(with_check("36042618891231007")).code == "id_birth_date"
    assert validate_id_number(with_check("36042618900101007"))


def test_unknown_province():
    error = id_error(with_check("99042619910101007"))
    assert error.code == "id_region"
    assert "99" in error.messages[0]
    assert id_error(with_check("10042619910101007")).code == "id_region"
    for code in ("11", "46", "65", "71", "81", "82"):
        assert validate_id_number(with_check(code + "042619910101007"))


@pytest.mark.parametrize(
    "raw",
    [
        "3.60426E+17",
        "3.60426e+17",
        "3.60426E17",
        "3.6042619910101005e+17",
        "360426199101010071.0",
        "360426910101007.0",
        "360,426,199,101,010,000",
        # What Excel shows with a "0" number format: digits after the 15th are zeros.
        "360426199101010000",
    ],
)
def test_excel_number(raw):
    error = id_error(raw)
    assert error.code == "id_excel_number"
    assert "Excel" in error.messages[0]
    assert "15" in error.messages[0]
    assert "text" in error.messages[0]


def test_id_ending_in_000_with_correct_check_is_valid():
    # The Excel heuristic only applies when the check character is wrong.
    candidates = (f"36042619910{day}{seq}00" for day in range(101, 129) for seq in range(1, 10))
    first17 = next(value for value in candidates if id_check_character(value) == "0")
    assert validate_id_number(first17 + "0") == first17 + "0"


def test_birth_date_and_sex():
    assert id_birth_date(VALID) == datetime.date(1991, 1, 1)
    assert id_sex(VALID) == "M"  # 17th character 7
    assert id_sex("11010519491231002X") == "F"  # 17th character 2


def test_messages_are_translatable():
    # The message is lazy and interpolated by ValidationError, also in other languages.
    error = id_error("360426199101010072")
    with translation.override("zh-hans"):
        assert error.messages[0]


# ---------------------------------------------------------------------------- ID: properties

dates = st.dates(min_value=datetime.date(1890, 1, 1), max_value=datetime.date.today())


@st.composite
def valid_ids(draw):
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    region = province + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    birth = draw(dates)
    sequence = draw(st.integers(0, 999))
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


@given(valid_ids())
def test_valid_ids_round_trip(id_number):
    assert validate_id_number(id_number) == id_number
    assert id_birth_date(id_number).strftime("%Y%m%d") == id_number[6:14]
    assert id_sex(id_number) == ("M" if int(id_number[16]) % 2 else "F")


@given(valid_ids())
def test_valid_ids_survive_lower_case_and_spacing(id_number):
    spaced = " ".join([id_number[:6], id_number[6:14], id_number[14:].lower()])
    assert validate_id_number(spaced) == id_number


@given(valid_ids().filter(lambda value: value[6:8] == "19"))
def test_fifteen_digit_upgrade_round_trips(id_number):
    old = id_number[:6] + id_number[8:17]
    assert validate_id_number(old) == id_number


@given(valid_ids(), st.integers(0, 16), st.integers(0, 9))
def test_any_single_digit_change_is_rejected(id_number, position, digit):
    assume(id_number[position] != str(digit))
    changed = id_number[:position] + str(digit) + id_number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_id_number(changed)


@given(valid_ids(), st.integers(0, 16))
def test_swapping_adjacent_different_characters_is_rejected(id_number, position):
    a, b = id_number[position], id_number[position + 1]
    assume(a != b)
    swapped = id_number[:position] + b + a + id_number[position + 2 :]
    with pytest.raises(ValidationError):
        validate_id_number(swapped)


@given(st.text(alphabet=st.sampled_from("0123456789Xx０１９Ｘｘ \u3000\t\u00a0ab-"), max_size=25))
def test_normalize_id_number_is_idempotent(raw):
    once = normalize_id_number(raw)
    assert normalize_id_number(once) == once
    assert not any(ch.isspace() for ch in once)
    assert "x" not in once


@given(st.text())
def test_normalize_id_number_is_idempotent_on_any_text(raw):
    once = normalize_id_number(raw)
    assert normalize_id_number(once) == once


# ---------------------------------------------------------------------------- phone: examples


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+8613812345678",
        "+86 138 1234 5678",
        "008613812345678",
        "8613812345678",
        "138-1234-5678",
        "138 1234 5678",
        "(+86) 138.1234.5678",
        "１３８１２３４５６７８",
        "＋８６\u3000１３８－１２３４－５６７８",
    ],
)
def test_mobile_forms(raw):
    assert normalize_phone(raw) == "13812345678"
    assert validate_mobile(raw) == "13812345678"
    assert validate_phone(raw) == "13812345678"


def test_normalize_phone_keeps_86_when_not_followed_by_11_digits():
    assert normalize_phone("86123456") == "86123456"
    assert normalize_phone("+86-411-84123456") == "+8641184123456"


def test_mobile_empty():
    for raw in ("", " ", "\u3000", None):
        assert phone_error(validate_mobile, raw).code == "phone_empty"
        assert phone_error(validate_phone, raw).code == "phone_empty"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("1381234567", "11 digits"),
        ("138123456789", "11 digits"),
        ("23812345678", "start with 1"),
        ("12812345678", "second digit"),
        ("138123456a8", "other than digits"),
    ],
)
def test_mobile_invalid(raw, problem):
    error = phone_error(validate_mobile, raw)
    assert error.code == "phone_invalid"
    assert problem in error.messages[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0411-84123456", "0411-84123456"),
        ("0411 84123456", "0411-84123456"),
        ("041184123456", "0411-84123456"),
        ("(0411)84123456", "0411-84123456"),
        ("（０４１１）８４１２３４５６", "0411-84123456"),
        ("0411－8412345", "0411-8412345"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("02162345678", "021-62345678"),
        ("+86-411-84123456", "0411-84123456"),
        ("+86 21 62345678", "021-62345678"),
        ("84123456", "84123456"),
        ("8412345", "8412345"),
    ],
)
def test_landline(raw, expected):
    assert validate_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "12812345678",  # looks like a mobile, wrong second digit
        "123456",  # too short
        "041-84123456-1",  # two dashes
        "4111-84123456",  # area code without leading 0
        "0411-041234567",  # local number too long / starts with 0
        "0411-12345678",  # local number starting with 1
        "call me",
    ],
)
def test_phone_invalid(raw):
    error = phone_error(validate_phone, raw)
    assert error.code == "phone_invalid"


def test_landline_is_not_a_mobile():
    assert phone_error(validate_mobile, "0411-84123456").code == "phone_invalid"


# ---------------------------------------------------------------------------- phone: properties

separators = st.sampled_from(["", " ", "-", "\u3000", ".", "－", " - "])
prefixes = st.sampled_from(["", "+86", "+86 ", "0086", "86", "(+86)", "＋８６ "])


@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    prefixes,
    st.lists(separators, min_size=2, max_size=2),
    st.booleans(),
)
def test_formatted_mobile_normalizes_back(mobile, prefix, seps, full_width):
    formatted = prefix + mobile[:3] + seps[0] + mobile[3:7] + seps[1] + mobile[7:]
    if full_width:
        formatted = formatted.translate({ord(str(i)): chr(ord("０") + i) for i in range(10)})
    assert normalize_phone(formatted) == mobile
    assert validate_mobile(formatted) == mobile
    assert validate_phone(formatted) == mobile
