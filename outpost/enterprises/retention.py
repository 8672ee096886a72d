"""Enterprise contacts under retention (保存期限): a contact person archived (no longer the
enterprise's contact) is anonymised a year later: name and phone blanked, the row kept."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import ANONYMISED_TEXT, RetentionKind

RETENTION_KINDS = [
    RetentionKind(
        key="enterprises.contact",
        label=_("Enterprise contact people"),
        model="enterprises.EnterpriseContact",
        reference="archived_at",
        reference_label=_("the contact's archiving"),
        default_days=365,
        actions=(RetentionAction.ANONYMISE, RetentionAction.DELETE),
        anonymise={"name": ANONYMISED_TEXT, "title": "", "phone": ""},
        eligible=Q(is_active=False),
    )
]
