"""Requests' and the donations ledger's entries of the processing register.

A request is an enterprise's, not a person's; its free texts and its handling record may
name people (who is returning, who is ill), so they are declared as notes. A donor who is a
person gives a name and a phone; whoever signs for supplies gives a name."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import EPIDEMIC_RESPONSE, DataCategory, ProcessingDeclaration

C = DataCategory

REQUEST_PURPOSE = _(
    "Answering the requests of the jurisdiction's enterprises (supplies, staff return, "
    "green channel, dormitories) and recording how each was handled."
)
LEDGER_PURPOSE = _(
    "Keeping the ledger of donated supplies: who gave, who received and signed for them, "
    "so that every item in and out of a store can be accounted for."
)

DECLARATIONS = [
    ProcessingDeclaration(
        model="enterprises.SupplyItem",
        other=(
            "id",
            "code",
            "name",
            "name_en",
            "unit_of_measure",
            "unit_of_measure_en",
            "order",
            "is_active",
        ),
    ),
    ProcessingDeclaration(
        model="enterprises.EnterpriseRequest",
        personal={"details": C.NOTE},
        other=(
            "id",
            "enterprise",
            "kind",
            "summary",
            "status",
            "filed_by",
            "filed_at",
            "due_at",
            "assigned_to",
            "assigned_at",
            "outcome",
            "closed_at",
            "closed_by",
            "confirmed_at",
            "reopened_count",
        ),
        purpose=REQUEST_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="enterprises.request",
    ),
    ProcessingDeclaration(
        model="enterprises.RequestLine",
        other=("id", "request", "item", "quantity"),
    ),
    ProcessingDeclaration(
        model="enterprises.RequestStep",
        personal={"note": C.NOTE},
        other=("id", "request", "kind", "by", "at"),
        purpose=REQUEST_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="enterprises.request",
    ),
    ProcessingDeclaration(
        model="enterprises.Donor",
        personal={"name": C.NAME, "phone": C.PHONE},
        other=(
            "id",
            "unit",
            "kind",
            "enterprise",
            "registered_at",
            "last_donation_at",
            "created_by",
        ),
        purpose=LEDGER_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="enterprises.donor",
    ),
    ProcessingDeclaration(
        model="enterprises.Donation",
        personal={"note": C.NOTE},
        other=("id", "unit", "donor", "received_at", "received_by"),
        purpose=LEDGER_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="enterprises.donation",
    ),
    ProcessingDeclaration(
        model="enterprises.Distribution",
        personal={"signed_for_by": C.NAME, "note": C.NOTE},
        other=(
            "id",
            "unit",
            "recipient",
            "recipient_unit",
            "request",
            "distributed_at",
            "distributed_by",
        ),
        purpose=LEDGER_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="enterprises.distribution",
    ),
    ProcessingDeclaration(
        model="enterprises.Stock",
        other=("id", "unit", "item", "quantity", "updated_at"),
    ),
    ProcessingDeclaration(
        model="enterprises.LedgerLine",
        other=(
            "id",
            "unit",
            "item",
            "direction",
            "quantity",
            "balance",
            "donation",
            "distribution",
            "at",
            "by",
        ),
    ),
]
