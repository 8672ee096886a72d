"""Public order under retention (保存期限): a venue no longer active keeps its responsible
person three years from its registration, a large event its organiser's contact a year
after the day it was planned for; then name and phone are blanked, the rows kept."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import ANONYMISED_TEXT, RetentionKind

RETENTION_KINDS = [
    RetentionKind(
        key="publicorder.venue",
        label=_("Venues' responsible people"),
        model="publicorder.Venue",
        reference="created_at",
        reference_label=_("the venue's registration"),
        default_days=3 * 365,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"responsible_person": ANONYMISED_TEXT, "responsible_phone": ""},
        eligible=Q(is_active=False),
    ),
    RetentionKind(
        key="publicorder.event",
        label=_("Large events' organiser contacts"),
        model="publicorder.LargeEvent",
        reference="planned_on",
        reference_label=_("the day the event was planned for"),
        default_days=365,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"organiser_contact": ANONYMISED_TEXT, "organiser_phone": ""},
    ),
]
