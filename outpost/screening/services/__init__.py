"""Writes of the screening module (STYLE rule 4): one function per use case, one module per
area."""

from outpost.screening.services.decisions import match_decision_record
from outpost.screening.services.designations import (
    risk_designation_create,
    risk_designation_update,
)
from outpost.screening.services.feeds import feed_upload
from outpost.screening.services.runs import (
    Screening,
    SourceRow,
    match_decisions,
    screening_compute,
    screening_run_execute,
    screening_run_fail,
    screening_run_start,
)

__all__ = [
    "Screening",
    "SourceRow",
    "feed_upload",
    "match_decision_record",
    "match_decisions",
    "risk_designation_create",
    "risk_designation_update",
    "screening_compute",
    "screening_run_execute",
    "screening_run_fail",
    "screening_run_start",
]
