"""Door-to-door visits under retention (保存期限, see README "Retention"): 180 days after a
campaign's end, its visits are anonymised: the visit's note and each member's declared
travel (where from, region, date back, transport) and health are blanked. The visit and
who was present stay, so the campaign's progress (households visited, persons screened)
does not change. Residents and households are the population register itself: they are
kept while people live here (a resident who moved out is made inactive, not purged)."""

from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import ANONYMISED_TEXT, RelatedStep, RetentionKind

RETENTION_KINDS = [
    RetentionKind(
        key="registry.visit",
        label=_("Door-to-door visits (declared travel and health)"),
        model="registry.Visit",
        reference="campaign__end_date",
        reference_label=_("the campaign's end"),
        default_days=180,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={"note": ""},
        steps=(
            RelatedStep(
                "registry.VisitMember",
                "visit",
                RetentionAction.ANONYMISE,
                {
                    # That someone travelled stays counted (the database wants a place).
                    "origin_place": Case(
                        When(travelled=True, then=Value(ANONYMISED_TEXT)), default=Value("")
                    ),
                    "origin_region_code": "",
                    "returned_on": None,
                    "transport": "",
                    "health_status": "",
                },
            ),
        ),
        holds={"registry.Resident": "members__resident"},
    )
]
