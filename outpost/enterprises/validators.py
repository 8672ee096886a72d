"""The unified social credit code (统一社会信用代码, GB 32100-2015) of an enterprise.

Pure functions, no database; errors are ``ValidationError`` with a stable ``code`` and a
translatable message, like ``outpost.core.validators``.

18 characters of the code set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z): the
registering authority (1), the kind of organisation (1), the region code of GB/T 2260
(6 digits), the organisation code (9) and a check character: with the weights 3^i mod 31
of the positions 1-17, the check character is the one whose value is
``31 - (Σ value × weight) mod 31`` (31 read as 0).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from outpost.core.validators import visible_text

CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
CREDIT_CODE_LENGTH = 18

_VALUE = {ch: i for i, ch in enumerate(CREDIT_CODE_CHARACTERS)}
_FULL_WIDTH = (
    {ord("０") + i: str(i) for i in range(10)}
    | {ord("Ａ") + i: chr(ord("A") + i) for i in range(26)}
    | {ord("ａ") + i: chr(ord("A") + i) for i in range(26)}
)
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_REGION = re.compile(r"[0-9]{6}")


def normalize_credit_code(raw) -> str:
    """Drop spaces anywhere (ideographic and invisible ones too), turn full-width digits
    and letters into ASCII and letters into upper case. Does not validate; idempotent."""
    if raw is None:
        return ""
    value = "".join(ch for ch in str(raw) if not ch.isspace() and ch not in _INVISIBLE)
    return value.translate(_FULL_WIDTH).upper()


def credit_code_check_character(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters of a credit code."""
    if len(first17) != 17 or any(ch not in _VALUE for ch in first17):
        raise ValueError(f"expected 17 characters of the code set, got {first17!r}")
    total = sum(
        _VALUE[ch] * weight for ch, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARACTERS[(31 - total % 31) % 31]


def _invalid(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def validate_credit_code(raw) -> str:
    """Validate a unified social credit code and return it normalized (18 characters)."""
    value = normalize_credit_code(raw)
    if not value:
        raise _invalid(_("Unified social credit code is empty."), "credit_code_empty")
    if len(value) != CREDIT_CODE_LENGTH:
        raise _invalid(
            _("Unified social credit code must have 18 characters, not %(length)d."),
            "credit_code_length",
            length=len(value),
        )
    bad = next((ch for ch in value if ch not in _VALUE), None)
    if bad is not None:
        raise _invalid(
            _(
                "Unified social credit code contains “%(character)s”, which is not one of "
                "its characters (digits and capital letters except I, O, S, V and Z)."
            ),
            "credit_code_character",
            character=visible_text(bad),
        )
    if not _REGION.fullmatch(value[2:8]):
        raise _invalid(
            _("Characters 3 to 8 of a unified social credit code are the region code: digits."),
            "credit_code_region",
        )
    expected = credit_code_check_character(value[:17])
    if value[17] != expected:
        raise _invalid(
            _(
                "The check character (the last one) of this unified social credit code is "
                "wrong: it should be %(expected)s, not %(found)s. Check the code for a typing "
                "error."
            ),
            "credit_code_check",
            expected=expected,
            found=value[17],
        )
    return value
