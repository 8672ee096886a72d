"""Key persons under retention (保存期限, see README "Retention"): a released, transferred
or closed key person is anonymised a year after closing: the link to the resident, the
name, numbers, address note and the notes of their sources and contacts are blanked (the
name reads 已匿名). The record, its category, dates, state, team and contacts stay, so the
figures that counted them do not change."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import ANONYMISED_TEXT, RelatedStep, RetentionKind
from outpost.keypersons.choices import CLOSED_STATUSES

RETENTION_KINDS = [
    RetentionKind(
        key="keypersons.keyperson",
        label=_("Key persons (with the notes of their sources and contacts)"),
        model="keypersons.KeyPerson",
        reference="closed_on",
        reference_label=_("the key person's release or closing"),
        default_days=365,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={
            "resident": None,
            "name": ANONYMISED_TEXT,
            "id_number": "",
            "phone": "",
            "address_note": "",
            "source_note": "",
            "closed_reason": ANONYMISED_TEXT,
        },
        steps=(
            RelatedStep(
                "keypersons.KeyPersonSource", "key_person", RetentionAction.ANONYMISE, {"note": ""}
            ),
            RelatedStep(
                "keypersons.ContactEntry", "key_person", RetentionAction.ANONYMISE, {"note": ""}
            ),
        ),
        eligible=Q(status__in=CLOSED_STATUSES),
        holds={"registry.Resident": "resident"},
    )
]
