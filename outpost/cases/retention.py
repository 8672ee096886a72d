"""Enforcement cases under retention (保存期限): five years after a case is closed, its
parties are anonymised (name and ID number blanked, the row and its measures kept as the
station's figures), its summary and link to a person cleared, its measures' notes blanked."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import ANONYMISED_TEXT, RetentionKind

FIVE_YEARS = 5 * 365

RETENTION_KINDS = [
    RetentionKind(
        key="cases.case",
        label=_("Enforcement cases"),
        model="cases.Case",
        reference="closed_on",
        reference_label=_("the case's closing"),
        default_days=FIVE_YEARS,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"summary": ANONYMISED_TEXT, "linked_text": "", "resident": None},
        eligible=Q(state="closed"),
    ),
    RetentionKind(
        key="cases.party",
        label=_("Parties to enforcement cases"),
        model="cases.Party",
        reference="case__closed_on",
        reference_label=_("the case's closing"),
        default_days=FIVE_YEARS,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"name": ANONYMISED_TEXT, "id_number": ""},
        eligible=Q(case__state="closed"),
    ),
    RetentionKind(
        key="cases.measure",
        label=_("Measures of enforcement cases"),
        model="cases.Measure",
        reference="case__closed_on",
        reference_label=_("the case's closing"),
        default_days=FIVE_YEARS,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"note": ""},
        eligible=Q(case__state="closed"),
    ),
]
