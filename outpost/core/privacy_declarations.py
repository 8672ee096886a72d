"""Core's own entries of the processing register (see `outpost.core.privacy`)."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import (
    DataCategory,
    LegalBasis,
    ProcessingDeclaration,
    personal,
)

C = DataCategory

STAFF_PURPOSE = _(
    "Staff accounts: who works where and with which role, and how to reach them with "
    "assignments and alerts."
)
ACCOUNTABILITY_PURPOSE = _(
    "Accountability: who revealed or exported whose personal data, when and why, and "
    "who changed a login (PIPL Art. 51, 54)."
)

DECLARATIONS = [
    ProcessingDeclaration(
        model="core.SubjectRequest",
        personal={
            "subject_name": C.NAME,
            "subject_id_masked": C.IDENTITY_NUMBER,
            "identity_note": C.NOTE,
            "details": C.NOTE,
            "answer": C.NOTE,
        },
        other=(
            "id",
            "unit",
            "subject_pk",
            "kind",
            "channel",
            "identity_check",
            "received_on",
            "due_on",
            "status",
            "keep_basis",
            "anonymised_at",
            "anonymised_counts",
            "handled_by",
            "closed_at",
            "created_by",
            "created_at",
        ),
        purpose=_("Answering a person's request to know, copy, correct or delete their data."),
        legal_basis=(LegalBasis.STATUTORY_DUTY,),
        retention="core.subject_request",
    ),
    ProcessingDeclaration(
        model="core.Unit",
        other=("id", "code", "name", "kind", "parent", "path", "depth", "is_active", "boundary"),
    ),
    ProcessingDeclaration(
        model="core.Organisation",
        personal={"contact_phone": C.PHONE},
        other=("id", "name", "kind", "unit", "is_active"),
        purpose=_("Reaching the partner organisations of the station's epidemic work."),
        legal_basis=(LegalBasis.STATUTORY_DUTY, LegalBasis.PUBLIC_HEALTH_EMERGENCY),
        retention="core.organisation",
    ),
    ProcessingDeclaration(
        model="core.StaffProfile",
        personal={"display_name": C.NAME, "phone": C.PHONE},
        other=("id", "user", "unit", "organisation", "language"),
        purpose=STAFF_PURPOSE,
        legal_basis=(LegalBasis.STAFF_MANAGEMENT,),
        retention="core.staff",
    ),
    ProcessingDeclaration(
        model="core.AccessLog",
        personal={
            "subject": C.NAME,
            "reason": C.NOTE,
            "ip_address": C.ONLINE,
        },
        other=(
            "id",
            "actor",
            "at",
            "action",
            "model_label",
            "object_id",
            "fields",
            "row_count",
            "purpose",
        ),
        purpose=ACCOUNTABILITY_PURPOSE,
        legal_basis=(LegalBasis.NETWORK_LOGS, LegalBasis.STATUTORY_DUTY),
        retention="core.accesslog",
    ),
    ProcessingDeclaration(
        model="core.AccountEvent",
        personal={"detail": C.NOTE, "ip_address": C.ONLINE},
        other=("id", "at", "actor", "user", "action"),
        purpose=ACCOUNTABILITY_PURPOSE,
        legal_basis=(LegalBasis.NETWORK_LOGS, LegalBasis.STAFF_MANAGEMENT),
        retention="core.account_event",
        read_permission="core.view_staffprofile",
    ),
    ProcessingDeclaration(
        model="core.ApiToken",
        other=(
            "id",
            "user",
            "name",
            "prefix",
            "key_hash",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ),
    ),
    ProcessingDeclaration(
        model="core.ImportJob",
        personal={
            "file": C.RECORDS,
            "first_errors": personal(C.RECORDS, sensitive=False),
            "error_report": personal(C.RECORDS, sensitive=False),
        },
        other=(
            "id",
            "kind",
            "unit",
            "created_by",
            "created_at",
            "finished_at",
            "original_name",
            "sheet_name",
            "sheets",
            "header_row",
            "headers",
            "mapping",
            "skip_bad_rows",
            "status",
            "progress",
            "total_rows",
            "valid_rows",
            "error_count",
            "created_count",
            "updated_count",
            "unchanged_count",
            "failure",
        ),
        purpose=_(
            "Taking in the spreadsheets communities keep, checking every row before it "
            "is imported (the errors are shown masked)."
        ),
        legal_basis=(LegalBasis.STATUTORY_DUTY, LegalBasis.PUBLIC_HEALTH_EMERGENCY),
        retention="core.importjob",
        read_permission="core.add_importjob",
    ),
    ProcessingDeclaration(
        model="core.RateCounter",
        personal={"key": C.ONLINE},
        other=("id", "window_start", "hits", "expires_at"),
        purpose=_("Refusing floods of requests and log-in attempts from one address."),
        legal_basis=(LegalBasis.NETWORK_LOGS,),
        retention="core.rate_counter",
        read_permission=None,
        readers_note=_("No page shows them."),
    ),
]
