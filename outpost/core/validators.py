"""Validation and normalization of resident ID numbers and phone numbers (DESIGN "Data conventions").

Pure functions: no models, no database. Messages never repeat the number itself (DESIGN
rule 2, masking): they name the problem, the caller knows which row or field it was. Errors are ``django.core.exceptions.ValidationError``
with a stable ``code`` (callers such as the importer branch on it) and a translatable message.

Resident ID (公民身份号码, GB 11643-1999): 6-digit GB/T 2260 region code, 8-digit birth date,
3-digit sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check character.
Old 15-digit numbers (YYMMDD birth date, no check character) are upgraded to 18 characters.
"""

from __future__ import annotations

import datetime
import operator
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CODE_MAX_LENGTH",
    "LINE_MAX_LENGTH",
    "NAME_MAX_LENGTH",
    "NOTE_MAX_LENGTH",
    "PROVINCE_CODES",
    "id_birth_date",
    "id_check_character",
    "id_sex",
    "normalize_id_number",
    "normalize_phone",
    "validate_id_number",
    "validate_mobile",
    "validate_note",
    "validate_phone",
    "validate_text",
    "visible_text",
]

# Province-level codes of GB/T 2260 (incl. Taiwan 71, Hong Kong 81, Macao 82).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"
EARLIEST_BIRTH_DATE = datetime.date(1890, 1, 1)

# Characters that are dropped wherever they occur: ASCII and Unicode whitespace (tab, NBSP,
# ideographic space U+3000, ...) is caught by str.isspace(); these are invisible extras that
# come along when numbers are copied out of Word, WeChat or web pages.
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}

_FULL_WIDTH = {ord("０") + i: str(i) for i in range(10)}
_FULL_WIDTH_ID = {**_FULL_WIDTH, ord("Ｘ"): "X", ord("ｘ"): "X", ord("x"): "X"}
# Phone punctuation: dashes (ASCII, full-width, Unicode dashes), parentheses, dots.
_PHONE_DASHES = "-－‐‑‒–—―"
_PHONE_PUNCTUATION = _PHONE_DASHES + "()（）.．。"
_FULL_WIDTH_PHONE = {**_FULL_WIDTH, ord("＋"): "+"}

_DIGITS = re.compile(r"[0-9]+")
_ID_18 = re.compile(r"[0-9]{17}[0-9X]")
_ID_CHARACTERS = re.compile(r"[0-9X]+")
# What Excel and Python make of an ID stored as a number: "3.60426E+17", "3.6042619910101005e+17",
# "360426199101010071.0", "360,426,199,101,010,000".
_EXCEL_NUMBER = re.compile(
    r"[0-9]+(\.[0-9]*)?E[+]?[0-9]+|[0-9]+\.0+|[0-9]{1,3}(,[0-9]{3})+(\.0+)?",
    re.IGNORECASE,
)

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE_WITH_DASH = re.compile(r"(0[0-9]{2,3})-([2-9][0-9]{6,7})")
_LANDLINE_LOCAL = re.compile(r"[2-9][0-9]{6,7}")


def _strip_spaces(value: str) -> str:
    if value.isalnum():  # the common case, and fast: no space or invisible character is alnum
        return value
    return "".join(ch for ch in value if not ch.isspace() and ch not in _INVISIBLE)


# ---------------------------------------------------------------------------- resident ID


def normalize_id_number(raw: str) -> str:
    """Drop spaces anywhere, turn full-width digits and Ｘ/ｘ/x into ASCII ``0-9``/``X``.

    Does not validate; idempotent.
    """
    if raw is None:
        return ""
    return _strip_spaces(str(raw)).translate(_FULL_WIDTH_ID)


def id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not _DIGITS.fullmatch(first17):
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    total = sum(map(operator.mul, map(int, first17), ID_WEIGHTS))
    return ID_CHECK_CHARACTERS[total % 11]


def id_birth_date(id_number: str) -> datetime.date:
    """Birth date of a canonical 18-character ID number (characters 7-14)."""
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def id_sex(id_number: str) -> str:
    """``"M"`` when the 17th character (last of the sequence code) is odd, ``"F"`` when even."""
    return "M" if int(id_number[16]) % 2 else "F"


def _invalid(message, error_code: str, **params) -> ValidationError:
    return ValidationError(message, code=error_code, params=params or None)


def validate_id_number(raw: str, *, today: datetime.date | None = None) -> str:
    """Validate a GB 11643 resident ID number and return its canonical 18-character form.

    15-digit numbers are upgraded ("19" inserted before the year, check character added).
    Raises ``ValidationError`` with one of the codes ``id_empty``, ``id_excel_number``,
    ``id_characters``, ``id_length``, ``id_region``, ``id_birth_date``, ``id_check_character``.
    """
    value = normalize_id_number(raw)
    if not value:
        raise _invalid(_("ID number is empty."), "id_empty")
    if _EXCEL_NUMBER.fullmatch(value):
        raise _excel_number_error()
    if not _ID_CHARACTERS.fullmatch(value):
        raise _invalid(
            _("ID number may only contain digits and a final X."),
            "id_characters",
        )
    if len(value) not in (15, 18):
        raise _invalid(
            _("ID number must have 18 characters (or 15 for an old number), not %(length)d."),
            "id_length",
            length=len(value),
        )
    if len(value) == 15:
        if "X" in value:
            raise _invalid(_("An old 15-digit ID number may only contain digits."), "id_characters")
        first17 = value[:6] + "19" + value[6:]
        value = first17 + id_check_character(first17)
    elif not _ID_18.fullmatch(value):
        raise _invalid(
            _("ID number may only contain digits and a final X."),
            "id_characters",
        )

    province = value[:2]
    if province not in PROVINCE_CODES:
        raise _invalid(
            _("ID number starts with %(code)s, which is not a province code."),
            "id_region",
            code=province,
        )

    today = today or datetime.date.today()
    try:
        birth_date = id_birth_date(value)
    except ValueError:
        raise _invalid(
            _("ID number contains an impossible birth date (characters 7-14)."),
            "id_birth_date",
        ) from None
    if birth_date > today:
        raise _invalid(
            _("ID number contains a birth date in the future (characters 7-14)."),
            "id_birth_date",
        )
    if birth_date < EARLIEST_BIRTH_DATE:
        raise _invalid(
            _("ID number contains a birth date before 1890 (characters 7-14)."),
            "id_birth_date",
        )

    expected = id_check_character(value[:17])
    if value[17] != expected:
        if value.endswith("000"):
            # Excel keeps 15 significant digits and fills the rest with zeros.
            raise _excel_number_error()
        raise _invalid(
            _(
                "ID number has the wrong check character: expected %(expected)s, "
                "found %(found)s. Please check the number for a typing error."
            ),
            "id_check_character",
            expected=expected,
            found=value[17],
        )
    return value


def _excel_number_error() -> ValidationError:
    return _invalid(
        _(
            "This ID number was stored by Excel as a number, which keeps only 15 digits and "
            "loses everything after the 15th. Format the column as text, re-enter the numbers "
            "and import again."
        ),
        "id_excel_number",
    )


# ---------------------------------------------------------------------------- phone


def _phone_characters(raw: str) -> str:
    """Spaces dropped, full-width digits and ＋ converted; punctuation kept."""
    if raw is None:
        return ""
    return _strip_spaces(str(raw)).translate(_FULL_WIDTH_PHONE)


def normalize_phone(raw: str) -> str:
    """Drop spaces, dashes, parentheses and dots; convert full-width digits; drop a leading
    ``+86``/``0086``/``86`` when 11 digits starting with 1 (a mobile) remain; before a landline
    the prefix is kept, so that ``validate_phone`` can restore the area code's 0.
    Does not validate."""
    value = _phone_characters(raw)
    if not value.isalnum():
        value = "".join(ch for ch in value if ch not in _PHONE_PUNCTUATION)
    for prefix in ("+86", "0086", "86"):
        rest = value.removeprefix(prefix)
        if rest != value and len(rest) == 11 and rest.startswith("1") and _DIGITS.fullmatch(rest):
            return rest
    return value


def validate_mobile(raw: str) -> str:
    """A mainland mobile number: 11 digits, ``1`` then ``3``-``9``. Returns it normalized."""
    value = normalize_phone(raw)
    if not value:
        raise _invalid(_("Phone number is empty."), "phone_empty")
    if not _DIGITS.fullmatch(value):
        raise _invalid(
            _("Mobile number contains characters other than digits."),
            "phone_invalid",
        )
    if len(value) != 11:
        raise _invalid(
            _("Mobile number must have 11 digits, not %(length)d."),
            "phone_invalid",
            length=len(value),
        )
    if not value.startswith("1"):
        raise _invalid(_("Mobile number must start with 1."), "phone_invalid")
    if not _MOBILE.fullmatch(value):
        raise _invalid(
            _("Mobile number must have 3 to 9 as its second digit."),
            "phone_invalid",
        )
    return value


def validate_phone(raw: str) -> str:
    """A mobile number, or a landline kept as text.

    Mobile: returned normalized (``13812345678``). Landline: a 7-8 digit local number (first
    digit 2-9), optionally preceded by an area code of 3-4 digits starting with 0; returned as
    ``0411-84123456`` or ``84123456``. Without a separator the area code is split off by the
    numbering plan: 3 digits for 010 and 02x, 4 for all others. ``+86``/``0086`` before a
    landline stands for the leading 0 of the area code.
    """
    if isinstance(raw, str) and _MOBILE.fullmatch(raw):
        return raw  # already a normalized mobile number (the common case of an import)
    normalized = normalize_phone(raw)
    if not normalized:
        raise _invalid(_("Phone number is empty."), "phone_empty")
    if _DIGITS.fullmatch(normalized) and len(normalized) == 11 and normalized.startswith("1"):
        return validate_mobile(normalized)
    landline = _normalize_landline(raw)
    if landline:
        return landline
    raise _invalid(
        _(
            "Phone number is neither a mobile number (11 digits starting with 1) nor a "
            "landline number (7 or 8 digits, optionally with an area code such as 0411-)."
        ),
        "phone_invalid",
    )


def _normalize_landline(raw: str) -> str | None:
    value = _phone_characters(raw)
    for dash in _PHONE_DASHES:
        value = value.replace(dash, "-")
    # "(0411)84123456", "（0411）84123456": the parentheses act as the separator.
    value = re.sub(r"^[(（](0[0-9]{2,3})[)）]-?", r"\1-", value)
    value = "".join(ch for ch in value if ch not in "()（）.．。")
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value.removeprefix(prefix).lstrip("-")
            if not value.startswith("0"):
                value = "0" + value
            break
    if value.count("-") > 1:
        return None
    if match := _LANDLINE_WITH_DASH.fullmatch(value):
        return f"{match[1]}-{match[2]}"
    if _LANDLINE_LOCAL.fullmatch(value):
        return value
    if _DIGITS.fullmatch(value) and value.startswith("0"):
        area_length = 3 if value[1] in "12" else 4
        area, local = value[:area_length], value[area_length:]
        if _LANDLINE_LOCAL.fullmatch(local):
            return f"{area}-{local}"
    return None


# ---------------------------------------------------------------------------- free text

# Longest free text accepted at the edge (forms, API, imports), by kind of field.
CODE_MAX_LENGTH = 64  # a choice's value, a document number, a phone, a token
NAME_MAX_LENGTH = 100  # a person's, unit's or place's name
LINE_MAX_LENGTH = 300  # one line: a workplace, an address note, a reason (the access log)
NOTE_MAX_LENGTH = 2000  # a note of several lines

# C0 controls but tab, line feed and carriage return, DEL and the C1 controls: invisible,
# and refused by the xlsx and XML writers downstream (one BEL breaks every export).
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_CONTROL_IN_NOTE = re.compile(f"[{_CONTROLS}]")
_CONTROL_IN_LINE = re.compile(f"[{_CONTROLS}\t\n\r]")
# Bidirectional embeddings, overrides and isolates: they make text read other than it is
# stored (a name or number shown reversed).
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def validate_text(value: str, *, multiline: bool = False) -> str:
    """Free text typed or imported by a person: no control characters (a note may hold line
    breaks and tabs), no bidirectional overrides. Returns it unchanged; raises
    ``ValidationError`` with code ``text_control`` or ``text_bidi``, naming the character."""
    if value is None or value.isalnum():
        return value  # the common case: nothing to look at
    control = (_CONTROL_IN_NOTE if multiline else _CONTROL_IN_LINE).search(value)
    if control:
        raise _invalid(
            _("Contains an invisible control character (U+%(code)04X); remove it."),
            "text_control",
            code=ord(control.group()),
        )
    bidi = _BIDI_CONTROL.search(value)
    if bidi:
        raise _invalid(
            _("Contains a character that changes the reading direction (U+%(code)04X); remove it."),
            "text_bidi",
            code=ord(bidi.group()),
        )
    return value


def visible_text(value: str) -> str:
    """`value` with each character `validate_text` refuses shown as U+FFFD (an error
    report quoting the bad cell must not carry the character itself)."""
    return _BIDI_CONTROL.sub("\ufffd", _CONTROL_IN_LINE.sub("\ufffd", value))


def validate_note(value: str) -> str:
    """`validate_text` for a note of several lines."""
    return validate_text(value, multiline=True)
