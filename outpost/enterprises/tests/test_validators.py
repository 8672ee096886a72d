"""The unified social credit code (GB 32100): check character, normalisation, errors."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from outpost.enterprises.validators import (
    CREDIT_CODE_CHARACTERS,
    credit_code_check_character,
    normalize_credit_code,
    validate_credit_code,
)

# Codes of real, registered enterprises (published on their licences).
REAL_CODES = ["91440300708461136T", "91110000600037341L", "9111000010000093XR"]

bodies = st.builds(
    lambda head, region, org: head + region + org,
    st.text(alphabet=CREDIT_CODE_CHARACTERS, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=CREDIT_CODE_CHARACTERS, min_size=9, max_size=9),
)


def _error_code(raw):
    with pytest.raises(ValidationError) as info:
        validate_credit_code(raw)
    return info.value.code


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert validate_credit_code(code) == code


@given(bodies)
def test_a_code_with_its_check_character_is_valid(body):
    code = body + credit_code_check_character(body)
    assert validate_credit_code(code) == code


@given(bodies, st.sampled_from(CREDIT_CODE_CHARACTERS))
def test_any_other_check_character_is_refused(body, last):
    right = credit_code_check_character(body)
    if last == right:
        return
    assert _error_code(body + last) == "credit_code_check"


@given(bodies, st.integers(min_value=0, max_value=16), st.sampled_from(CREDIT_CODE_CHARACTERS))
def test_one_changed_character_is_caught(body, position, replacement):
    code = body + credit_code_check_character(body)
    changed = code[:position] + replacement + code[position + 1 :]
    if changed == code:
        return
    # A changed region digit may be a letter; either way the code is refused.
    assert _error_code(changed) in {"credit_code_check", "credit_code_region"}


@given(bodies)
def test_spaces_full_width_and_lower_case_are_normalized(body):
    code = body + credit_code_check_character(body)
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code.lower())
    messy = f" {full_width[:6]}\u3000{full_width[6:]}\u200b "
    assert normalize_credit_code(messy) == code
    assert validate_credit_code(messy) == code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "credit_code_empty"),
        ("   ", "credit_code_empty"),
        ("91440300708461136", "credit_code_length"),
        ("91440300708461136TT", "credit_code_length"),
        ("91440300708461I36T", "credit_code_character"),
        ("914403O0708461136T", "credit_code_character"),
        ("91A40300708461136T", "credit_code_region"),
        ("91440300708461136X", "credit_code_check"),
    ],
)
def test_bad_codes_name_the_problem(raw, code):
    assert _error_code(raw) == code


def test_the_message_says_which_check_character_is_expected():
    with pytest.raises(ValidationError) as info:
        validate_credit_code("91440300708461136X")
    message = info.value.messages[0]
    assert "T" in message
    assert "X" in message
