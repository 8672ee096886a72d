"""The registry's entries of the processing register (see `outpost.core.privacy`)."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import (
    POLICE_DUTY,
    DataCategory,
    ProcessingDeclaration,
    personal,
)

C = DataCategory

POPULATION_PURPOSE = _(
    "Population base: who lives in which household of the jurisdiction and how to "
    "reach them, so that door-to-door screening, matching and care reach everyone."
)
SCREENING_PURPOSE = _(
    "Door-to-door screening: who was found at home, who travelled where and "
    "when, and how they are, to find people at risk."
)

DECLARATIONS = [
    ProcessingDeclaration(
        model="registry.Household",
        personal={
            "household_number": personal(C.FAMILY, sensitive=False),
            "street": C.ADDRESS,
            "building": C.ADDRESS,
            "entrance": C.ADDRESS,
            "room": C.ADDRESS,
            "phone": C.PHONE,
        },
        other=("id", "unit", "is_rental", "visited", "created_at"),
        purpose=POPULATION_PURPOSE,
        legal_basis=POLICE_DUTY,
        retention="registry.household",
    ),
    ProcessingDeclaration(
        model="registry.Resident",
        personal={
            "relation_to_head": C.FAMILY,
            "name": C.NAME,
            "document_type": C.IDENTITY_NUMBER,
            "id_number": C.IDENTITY_NUMBER,
            "document_number": C.IDENTITY_NUMBER,
            "id_last4": personal(C.IDENTITY_NUMBER, sensitive=False),
            "sex": C.BIRTH_SEX,
            "birth_date": C.BIRTH_SEX,
            "phone": C.PHONE,
            "phone_last4": C.PHONE,
            "residence_type": C.FAMILY,
            "workplace": C.WORK,
        },
        other=("id", "unit", "household", "is_active", "merged_into", "screened", "created_at"),
        purpose=POPULATION_PURPOSE,
        legal_basis=POLICE_DUTY,
        retention="registry.resident",
    ),
    ProcessingDeclaration(
        model="registry.Landlord",
        personal={"name": C.NAME, "id_number": C.IDENTITY_NUMBER, "phone": C.PHONE},
        other=("id", "unit", "is_large"),
        purpose=_(
            "Landlords of rental properties, who tell the station who rents and who arrives."
        ),
        legal_basis=POLICE_DUTY,
        retention="registry.landlord",
    ),
    ProcessingDeclaration(
        model="registry.Campaign",
        other=("id", "name", "unit", "start_date", "end_date", "created_by", "is_closed"),
    ),
    ProcessingDeclaration(
        model="registry.Visit",
        personal={"note": personal(C.NOTE, sensitive=True)},
        other=(
            "id",
            "unit",
            "campaign",
            "household",
            "visited_by",
            "visited_at",
            "outcome",
            "phone_confirmed",
        ),
        purpose=SCREENING_PURPOSE,
        legal_basis=POLICE_DUTY,
        retention="registry.visit",
    ),
    ProcessingDeclaration(
        model="registry.VisitMember",
        personal={
            "travelled": C.WHEREABOUTS,
            "origin_place": C.WHEREABOUTS,
            "origin_region_code": C.WHEREABOUTS,
            "returned_on": C.WHEREABOUTS,
            "transport": C.WHEREABOUTS,
            "health_status": C.HEALTH,
        },
        other=("id", "visit", "resident", "presence", "phone_confirmed"),
        purpose=SCREENING_PURPOSE,
        legal_basis=POLICE_DUTY,
        retention="registry.visit",
    ),
]
