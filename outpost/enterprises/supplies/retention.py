"""Requests and the donations ledger under retention (保存期限).

The ledger's rows (quantities, dates, stores) are kept: the stock is their sum. What names
people is anonymised: a request's details and its handling notes two years after it was
answered; a person donor's name and phone three years after their last donation; the
name of whoever signed for a distribution and the notes of donations and distributions
three years after them."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import ANONYMISED_TEXT, RelatedStep, RetentionKind
from outpost.enterprises.supplies.choices import DonorKind, RequestStatus

RETENTION_KINDS = [
    RetentionKind(
        key="enterprises.request",
        label=_("Enterprise requests (details and handling notes)"),
        model="enterprises.EnterpriseRequest",
        reference="closed_at",
        reference_label=_("the request's answer"),
        default_days=730,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"details": ""},
        steps=(
            RelatedStep(
                "enterprises.RequestStep", "request", RetentionAction.ANONYMISE, {"note": ""}
            ),
        ),
        eligible=Q(status__in=[RequestStatus.CLOSED, RequestStatus.CONFIRMED]),
    ),
    RetentionKind(
        key="enterprises.donor",
        label=_("Donors who are persons"),
        model="enterprises.Donor",
        reference="last_donation_at",
        reference_label=_("the donor's last donation"),
        default_days=1095,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"name": ANONYMISED_TEXT, "phone": ""},
        eligible=Q(kind=DonorKind.PERSON),
    ),
    RetentionKind(
        key="enterprises.donation",
        label=_("Donations received (notes)"),
        model="enterprises.Donation",
        reference="received_at",
        reference_label=_("the donation's receipt"),
        default_days=1095,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"note": ""},
    ),
    RetentionKind(
        key="enterprises.distribution",
        label=_("Distributions of supplies (who signed, notes)"),
        model="enterprises.Distribution",
        reference="distributed_at",
        reference_label=_("the distribution"),
        default_days=1095,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"signed_for_by": ANONYMISED_TEXT, "note": ""},
    ),
]
