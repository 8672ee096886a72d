"""Dispatch's entries of the processing register (see `outpost.core.privacy`)."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import (
    EPIDEMIC_RESPONSE,
    DataCategory,
    ProcessingDeclaration,
    personal,
)

C = DataCategory

DISPATCH_PURPOSE = _(
    "Dispatched verification: the lists a higher level sends, each person "
    "found, verified on the ground and reported back."
)

DECLARATIONS = [
    ProcessingDeclaration(
        model="dispatch.DispatchOrder",
        personal={"file": C.RECORDS},
        other=(
            "id",
            "unit",
            "order_number",
            "issuing_body",
            "title",
            "received_at",
            "deadline",
            "original_name",
            "sheet_name",
            "header_row",
            "headers",
            "mapping",
            "status",
            "progress",
            "failure",
            "total_items",
            "created_by",
            "created_at",
        ),
        purpose=DISPATCH_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="dispatch.item",
    ),
    ProcessingDeclaration(
        model="dispatch.DispatchItem",
        personal={
            "values": C.RECORDS,
            "name": C.NAME,
            "id_number": C.IDENTITY_NUMBER,
            "phone": C.PHONE,
            "birth_date": C.BIRTH_SEX,
            "identity_key": C.PSEUDONYM,
            "result": C.WHEREABOUTS,
            "moved_to": C.WHEREABOUTS,
            "result_note": personal(C.NOTE, sensitive=True),
        },
        other=(
            "id",
            "order",
            "unit",
            "row_number",
            "resident",
            "match_status",
            "match_rule",
            "match_score",
            "candidates",
            "duplicate_of",
            "assigned_officer",
            "routed_at",
            "result_at",
            "recorded_by",
            "key_person",
            "version",
        ),
        purpose=DISPATCH_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="dispatch.item",
    ),
]
