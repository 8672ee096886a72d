"""Questions and answers in the processing register (see `outpost.core.privacy`).

A question is free text a resident wrote and may name people, addresses or illnesses; the
phone left for the answer is encrypted at rest and shown masked. FAQ entries hold no
personal data (their review refuses phone and ID numbers)."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import EPIDEMIC_RESPONSE, DataCategory, ProcessingDeclaration

C = DataCategory

PURPOSE = _(
    "Answering residents' questions about the epidemic measures (网上答疑) and sending them "
    "the answer and any later correction."
)

DECLARATIONS = [
    ProcessingDeclaration(
        model="inquiries.Question",
        personal={
            "text": C.NOTE,
            "phone": C.PHONE,
            "answer": C.NOTE,
            "correction": C.NOTE,
            "handed_note": C.NOTE,
        },
        other=(
            "id",
            "unit",
            "channel",
            "token_hash",
            "urgency",
            "status",
            "received_at",
            "due_at",
            "created_by",
            "duplicate_of",
            "answered_at",
            "answered_by",
            "faq_used",
            "notice",
            "answer_message",
            "corrected_at",
            "handed_to",
            "handed_at",
            "handed_by",
            "term_count",
        ),
        purpose=PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="inquiries.question",
    ),
    ProcessingDeclaration(
        model="inquiries.InquiryTerm",
        personal={"term": C.NOTE},
        other=("id", "question", "faq"),
        purpose=_("Finding similar questions and FAQ entries (search index of the questions)."),
        legal_basis=EPIDEMIC_RESPONSE,
        retention="inquiries.question",
        read_permission="inquiries.view_question",
    ),
    ProcessingDeclaration(
        model="inquiries.FaqEntry",
        other=(
            "id",
            "unit",
            "category",
            "question",
            "answer",
            "notice",
            "status",
            "stale_notice",
            "stale_since",
            "proposed_by",
            "proposed_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "times_used",
            "term_count",
        ),
    ),
]
