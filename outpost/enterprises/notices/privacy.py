"""Notices' entries of the processing register (see `outpost.core.privacy`).

A notice is an official text for enterprises; its receipts and escalation steps name the
enterprise and the staff logins who confirmed, escalated or were given the call (staff
accounts, not residents). None of it is personal information of residents."""

from outpost.core.privacy import ProcessingDeclaration

DECLARATIONS = [
    ProcessingDeclaration(
        model="enterprises.Notice",
        other=(
            "id",
            "unit",
            "title",
            "body",
            "source_authority",
            "version",
            "supersedes",
            "deadline",
            "pushed_at",
            "created_by",
        ),
    ),
    ProcessingDeclaration(
        model="enterprises.NoticeAttachment",
        other=("id", "notice", "file", "original_name", "size", "uploaded_at"),
    ),
    ProcessingDeclaration(
        model="enterprises.NoticeReceipt",
        other=(
            "id",
            "notice",
            "enterprise",
            "confirmed_at",
            "confirmed_by",
            "confirmed_via",
            "escalation_level",
            "escalated_at",
            "call_officer",
            "call_done_at",
        ),
    ),
    ProcessingDeclaration(
        model="enterprises.NoticeEscalation",
        other=("id", "receipt", "step", "at", "by", "detail"),
    ),
]
