"""Notify's entries of the processing register (see `outpost.core.privacy`)."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import (
    DataCategory,
    LegalBasis,
    ProcessingDeclaration,
)

C = DataCategory

MESSAGE_PURPOSE = _(
    "Telling staff (and people under observation) what they must do: assignments, "
    "alerts, reminders and self-report links."
)
MESSAGE_BASIS = (LegalBasis.STAFF_MANAGEMENT, LegalBasis.PUBLIC_HEALTH_EMERGENCY)

DECLARATIONS = [
    ProcessingDeclaration(
        model="notify.InboxMessage",
        personal={"subject": C.NOTE, "body": C.NOTE},
        other=("id", "recipient", "kind", "url", "created_at", "read_at"),
        purpose=MESSAGE_PURPOSE,
        legal_basis=MESSAGE_BASIS,
        retention="notify.inbox",
        read_permission=None,
        readers_note=_("Each recipient their own messages."),
    ),
    ProcessingDeclaration(
        model="notify.OutboundMessage",
        personal={"address": C.CONTACT, "subject": C.NOTE, "body": C.NOTE},
        other=(
            "id",
            "channel",
            "recipient",
            "status",
            "error",
            "created_at",
            "sent_at",
            "key",
            "provider",
            "provider_id",
            "attempts",
            "claimed_at",
            "next_attempt_at",
            "delivered_at",
            "about",
        ),
        purpose=MESSAGE_PURPOSE,
        legal_basis=MESSAGE_BASIS,
        retention="notify.outbound",
        read_permission=None,
        readers_note=_("No page shows them; the address is kept masked once sent."),
    ),
]
