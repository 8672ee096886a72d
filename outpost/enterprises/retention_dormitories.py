"""Dormitory requests under retention (保存期限): a request that ended (the guest left) or
was withdrawn is anonymised half a year after closing: name, phone and note blanked. The
request, its dates and its stays stay, so the occupancy of the rooms does not change."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import ANONYMISED_TEXT, RetentionKind
from outpost.enterprises.choices_dormitories import REQUEST_CLOSED_STATUSES

RETENTION_KINDS = [
    RetentionKind(
        key="enterprises.dormitory_request",
        label=_("Dormitory requests (the guests of idle dormitory rooms)"),
        model="enterprises.DormitoryRequest",
        reference="closed_on",
        reference_label=_("the end of the stay or the withdrawal of the request"),
        default_days=180,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"name": ANONYMISED_TEXT, "phone": "", "note": ""},
        eligible=Q(status__in=REQUEST_CLOSED_STATUSES),
    )
]
