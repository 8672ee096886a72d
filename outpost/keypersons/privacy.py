"""Key persons' entries of the processing register (see `outpost.core.privacy`)."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import (
    EPIDEMIC_RESPONSE,
    DataCategory,
    ProcessingDeclaration,
    personal,
)

C = DataCategory

KEY_PERSON_PURPOSE = _(
    "Key persons and their four-on-one care: who must be followed, why, "
    "and every contact with them, until they are released."
)

DECLARATIONS = [
    ProcessingDeclaration(
        model="keypersons.KeyPerson",
        personal={
            "name": C.NAME,
            "id_number": C.IDENTITY_NUMBER,
            "phone": C.PHONE,
            "address_note": C.ADDRESS,
            "category": C.CONTROL_MEASURE,
            "status": C.CONTROL_MEASURE,
            "source_note": personal(C.NOTE, sensitive=True),
            "origin_category": C.WHEREABOUTS,
            "arrival_date": C.WHEREABOUTS,
            "closed_reason": personal(C.NOTE, sensitive=True),
        },
        other=(
            "id",
            "unit",
            "resident",
            "source_type",
            "screening_run",
            "identified_on",
            "managed_from",
            "closed_on",
            "created_by",
            "created_at",
        ),
        purpose=KEY_PERSON_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="keypersons.keyperson",
    ),
    ProcessingDeclaration(
        model="keypersons.KeyPersonSource",
        personal={
            "origin_category": C.WHEREABOUTS,
            "arrival_date": C.WHEREABOUTS,
            "note": personal(C.NOTE, sensitive=True),
        },
        other=("id", "key_person", "source_type", "screening_run", "noted_by", "noted_at"),
        purpose=KEY_PERSON_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="keypersons.keyperson",
    ),
    ProcessingDeclaration(
        model="keypersons.ContactEntry",
        personal={"note": personal(C.NOTE, sensitive=True)},
        other=(
            "id",
            "key_person",
            "worker",
            "contacted_at",
            "channel",
            "outcome",
            "recorded_by",
            "recorded_at",
        ),
        purpose=KEY_PERSON_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="keypersons.keyperson",
    ),
    ProcessingDeclaration(
        model="keypersons.TeamRole",
        other=("id", "code", "name", "name_en", "staff_role", "order", "is_active"),
    ),
]
