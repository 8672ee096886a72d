"""Screening's entries of the processing register (see `outpost.core.privacy`)."""

from django.utils.translation import gettext_lazy as _

from outpost.core.privacy import (
    EPIDEMIC_RESPONSE,
    DataCategory,
    ProcessingDeclaration,
    personal,
)

C = DataCategory

MATCHING_PURPOSE = _(
    "Data matching: linking lists of arrivals from designated regions to "
    "the residents of the jurisdiction, to find who must be followed."
)

DECLARATIONS = [
    ProcessingDeclaration(
        model="screening.Region",
        other=("id", "code", "name", "alias", "level", "parent"),
    ),
    ProcessingDeclaration(
        model="screening.OriginCategory",
        other=("id", "code", "name", "name_en", "order"),
    ),
    ProcessingDeclaration(
        model="screening.RiskDesignation",
        other=("id", "region", "level", "start_date", "end_date", "category", "note"),
    ),
    ProcessingDeclaration(
        model="screening.Feed",
        personal={"file": C.RECORDS},
        other=(
            "id",
            "unit",
            "source_type",
            "original_name",
            "uploaded_by",
            "uploaded_at",
            "status",
            "progress",
            "total_rows",
            "error_rows",
            "mapping",
            "failure",
        ),
        purpose=MATCHING_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="screening.feed",
    ),
    ProcessingDeclaration(
        model="screening.FeedRow",
        personal={
            "name": C.NAME,
            "id_number": C.IDENTITY_NUMBER,
            "phone": C.PHONE,
            "origin": C.WHEREABOUTS,
            "origin_region_code": C.WHEREABOUTS,
            "arrival_date": C.WHEREABOUTS,
            "train_or_flight": C.WHEREABOUTS,
            "seat": C.WHEREABOUTS,
        },
        other=("id", "feed", "row_number", "parse_errors"),
        purpose=MATCHING_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="screening.feed",
    ),
    ProcessingDeclaration(
        model="screening.MatchDecision",
        personal={"identity_key": C.PSEUDONYM},
        other=("id", "unit", "resident", "rejected", "decided_by", "decided_at"),
        purpose=MATCHING_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="screening.match_decision",
    ),
    ProcessingDeclaration(
        model="screening.ScreeningResult",
        personal={
            "category": C.WHEREABOUTS,
            "arrival_date": C.WHEREABOUTS,
            "sources": C.WHEREABOUTS,
            "identity_key": C.PSEUDONYM,
        },
        other=("id", "run", "resident", "unit", "rule", "score", "status"),
        purpose=MATCHING_PURPOSE,
        legal_basis=EPIDEMIC_RESPONSE,
        retention="screening.result",
    ),
    ProcessingDeclaration(
        model="screening.TravelDiscrepancy",
        personal={
            "declared_travelled": C.WHEREABOUTS,
            "declared_origin": C.WHEREABOUTS,
            "declared_region_code": C.WHEREABOUTS,
            "declared_returned_on": C.WHEREABOUTS,
            "feed_origin": C.WHEREABOUTS,
            "feed_region_code": C.WHEREABOUTS,
            "arrival_date": C.WHEREABOUTS,
            "train_or_flight": C.WHEREABOUTS,
            "seat": C.WHEREABOUTS,
            "category": C.WHEREABOUTS,
            "resolution_note": personal(C.NOTE, sensitive=True),
        },
        other=(
            "id",
            "run",
            "resident",
            "unit",
            "kind",
            "visit_member",
            "visited_at",
            "feed_row",
            "feed_name",
            "feed_row_number",
            "status",
            "resolved_by",
            "resolved_at",
            "created_at",
        ),
        purpose=_(
            "Concealed travel: a visit's declared travel set beside a list that "
            "puts the person in a designated region, to be verified."
        ),
        legal_basis=EPIDEMIC_RESPONSE,
        retention="screening.discrepancy",
    ),
]
