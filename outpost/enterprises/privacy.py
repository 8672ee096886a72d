"""Enterprises' entries of the processing register (see `outpost.core.privacy`).

An enterprise is a legal entity: its name, credit code and address are not personal
information. Its contact people are: their names and phones."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import EPIDEMIC_RESPONSE, DataCategory, ProcessingDeclaration

C = DataCategory

CONTACT_PURPOSE = _(
    "Reaching the enterprises of the jurisdiction: notices, requests, supplies and the "
    "daily follow-up of essential-goods producers."
)

DECLARATIONS = [
    ProcessingDeclaration(
        model="enterprises.Enterprise",
        other=(
            "id",
            "unit",
            "name",
            "credit_code",
            "sector",
            "address",
            "employees",
            "is_essential",
            "status",
            "created_by",
            "created_at",
            "updated_at",
        ),
    ),
    ProcessingDeclaration(
        model="enterprises.EnterpriseLiaison",
        other=("id", "user", "enterprise", "bound_by", "bound_at"),
    ),
    ProcessingDeclaration(
        model="enterprises.EnterpriseContact",
        personal={"name": C.NAME, "title": C.WORK, "phone": C.PHONE},
        other=("id", "enterprise", "is_active", "archived_at", "created_by", "created_at"),
        purpose=CONTACT_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="enterprises.contact",
    ),
]
