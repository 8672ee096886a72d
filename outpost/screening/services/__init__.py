"""Writes of the screening module (STYLE rule 4): one function per use case, one module per
area.

The requests that queue background work (`feed_upload`, `screening_run_start`) are in
`starts`, imported from there: this package is imported by the tasks they queue.
"""

from outpost.screening.services.decisions import match_decision_record
from outpost.screening.services.designations import (
    risk_designation_create,
    risk_designation_update,
)
from outpost.screening.services.discrepancies import (
    travel_discrepancies_raise,
    travel_discrepancy_resolve,
)
from outpost.screening.services.review import (
    match_review_accept,
    match_review_reject,
    match_review_reject_all,
)
from outpost.screening.services.runs import (
    Screening,
    SourceRow,
    match_decisions,
    screening_compute,
    screening_run_execute,
    screening_run_fail,
)

__all__ = [
    "Screening",
    "SourceRow",
    "match_decision_record",
    "match_decisions",
    "match_review_accept",
    "match_review_reject",
    "match_review_reject_all",
    "risk_designation_create",
    "risk_designation_update",
    "screening_compute",
    "screening_run_execute",
    "screening_run_fail",
    "travel_discrepancies_raise",
    "travel_discrepancy_resolve",
]
