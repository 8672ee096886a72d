"""Questions under retention (保存期限): 180 days after it was received, a question is
deleted with its answer, the phone left and its search terms. FAQ entries hold no personal
data and stay while they are in use."""

from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import RelatedStep, RetentionKind

RETENTION_KINDS = [
    RetentionKind(
        key="inquiries.question",
        label=_("Residents' questions and their answers"),
        model="inquiries.Question",
        reference="received_at",
        reference_label=_("the question's arrival"),
        default_days=180,
        actions=(RetentionAction.DELETE,),
        steps=(RelatedStep("inquiries.InquiryTerm", "question", RetentionAction.DELETE),),
    )
]
