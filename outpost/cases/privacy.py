"""Enforcement cases in the processing register (see `outpost.core.privacy`).

A case names its parties (a person's name and resident ID number, encrypted and shown
masked) and may link a resident; its summary and notes are free text. Seized goods, their
custody chain and the disposal requests name staff and departments, not residents: the
owner a returned item goes back to is written as a role ("the owner"), never by name.
"""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import POLICE_DUTY, DataCategory, ProcessingDeclaration

C = DataCategory

CASES_PURPOSE = _(
    "The station's own enforcement during the epidemic: the cases it handles, the people "
    "and organisations concerned, the measures taken and the goods seized."
)

DECLARATIONS = [
    ProcessingDeclaration(
        model="cases.Case",
        personal={"summary": C.NOTE, "linked_text": C.NOTE},
        other=(
            "id",
            "unit",
            "number",
            "kind",
            "occurred_on",
            "state",
            "resident",
            "enterprise",
            "closed_on",
            "created_by",
            "created_at",
        ),
        purpose=CASES_PURPOSE,
        legal_basis=POLICE_DUTY,
        retention="cases.case",
    ),
    ProcessingDeclaration(
        model="cases.Party",
        personal={"name": C.NAME, "id_number": C.IDENTITY_NUMBER},
        other=("id", "case", "kind", "credit_code", "role", "added_by", "added_at"),
        purpose=CASES_PURPOSE,
        legal_basis=POLICE_DUTY,
        retention="cases.party",
    ),
    ProcessingDeclaration(
        model="cases.Measure",
        personal={"note": C.NOTE},
        other=(
            "id",
            "case",
            "party",
            "kind",
            "decided_on",
            "detention_days",
            "detention_start",
            "deferral_from",
            "deferral_days",
            "deferral_reason",
            "fine_amount",
            "fine_paid",
            "fine_paid_on",
            "transferred_to",
            "recorded_by",
            "recorded_at",
        ),
        purpose=CASES_PURPOSE,
        legal_basis=POLICE_DUTY,
        retention="cases.measure",
    ),
    ProcessingDeclaration(
        model="cases.SeizedItem",
        other=(
            "id",
            "case",
            "description",
            "specification",
            "quantity",
            "measure",
            "state",
            "holder",
            "location",
            "seized_at",
        ),
    ),
    ProcessingDeclaration(
        model="cases.CustodyMove",
        other=(
            "id",
            "item",
            "kind",
            "from_user",
            "to_user",
            "to_outside",
            "location",
            "at",
            "reason",
            "approved_by",
            "recorded_by",
            "recorded_at",
        ),
    ),
    ProcessingDeclaration(
        model="cases.DisposalRequest",
        other=(
            "id",
            "item",
            "kind",
            "to_outside",
            "reason",
            "requested_by",
            "requested_at",
            "status",
            "decided_by",
            "decided_at",
            "move",
        ),
    ),
    ProcessingDeclaration(
        model="cases.ItemPhoto",
        other=("id", "item", "image", "uploaded_by", "uploaded_at"),
    ),
]
