"""What identifies a person: ID numbers, other documents, phones and addresses (DESIGN
"Data conventions" and rule 2, masking).

This module is the one place the rest of the code asks. It owns

* normalising and validating a resident ID number (18 characters, old 15-digit numbers
  upgraded), other document numbers and phone numbers;
* masking an ID or document number, a phone number and an address;
* the one display rule: the number that stands for a person is the resident's ID number,
  else their document number (passport, permit), else the key person's own number.

The pure rules are implemented in ``validators`` (held to the screening engine's SQL copy by
property tests) and ``masking``; they are imported here, not copied, so that every caller
reads them through ``identity`` and no rule exists twice.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from outpost.core.masking import (
    household_address_masked,
    mask_address,
    mask_id_number,
    mask_phone,
)
from outpost.core.validators import (
    EARLIEST_BIRTH_DATE,
    ID_WEIGHTS,
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

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "ID_WEIGHTS",
    "PROVINCE_CODES",
    "canonical_number",
    "display_id",
    "display_id_number",
    "household_address_masked",
    "id_birth_date",
    "id_check_character",
    "id_sex",
    "mask_address",
    "mask_id_number",
    "mask_phone",
    "masked_display_id",
    "normalize_document_number",
    "normalize_id_number",
    "normalize_phone",
    "validate_id_number",
    "validate_mobile",
    "validate_phone",
]


def normalize_document_number(raw: str) -> str:
    """A document number (passport, permit, or an ID number filed as one) as it is stored
    and compared: spaces dropped, full-width characters converted, in capitals."""
    return normalize_id_number(raw).upper()


def canonical_number(value: str) -> str:
    """The canonical form of an ID or document number, for telling whether two numbers
    are one: a valid ID number (also an old 15-digit one, or one filed as another
    document) becomes its 18 characters; anything else its normalised document form.

    Registry duplicates compare records by it. It is not the screening engine's
    ``identity_key``, which keys a whole feed row (ID, phone, name and birth date together)
    so that a match decision applies to later feeds carrying the same row."""
    normalized = normalize_document_number(value)
    if len(normalized) in (15, 18):
        try:
            return validate_id_number(normalized)
        except ValidationError:
            pass
    return normalized


def display_id_number(
    *, id_number: str = "", document_number: str = "", own_number: str = ""
) -> str:
    """The one display rule, on plain values (rows of ``values()`` queries): the resident's
    ID number, else their document number, else the key person's own number."""
    return id_number or document_number or own_number or ""


def display_id(person) -> str:
    """The number that stands for a resident or a key person (unmasked; see
    ``masked_display_id``). A key person linked to a resident shows the resident's number."""
    if hasattr(person, "document_number"):  # a resident
        return display_id_number(id_number=person.id_number, document_number=person.document_number)
    resident = person.resident if getattr(person, "resident_id", None) else None
    return display_id_number(
        id_number=resident.id_number if resident else "",
        document_number=resident.document_number if resident else "",
        own_number=person.id_number,
    )


def masked_display_id(person) -> str:
    """``display_id`` as every page and export shows it by default."""
    return mask_id_number(display_id(person))
