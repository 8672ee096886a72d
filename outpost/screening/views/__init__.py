"""Pages of the screening module, one module per area."""

from outpost.screening.views.designations import (
    RiskDesignationCreateView,
    RiskDesignationListView,
    RiskDesignationUpdateView,
)
from outpost.screening.views.discrepancies import DiscrepancyDetailView, DiscrepancyListView
from outpost.screening.views.feeds import FeedDetailView, FeedListView, FeedUploadView
from outpost.screening.views.review import ReviewItemView, ReviewListView, RunReviewView
from outpost.screening.views.runs import (
    ScreeningRunDetailView,
    ScreeningRunListView,
    ScreeningRunStartView,
)

__all__ = [
    "DiscrepancyDetailView",
    "DiscrepancyListView",
    "FeedDetailView",
    "FeedListView",
    "FeedUploadView",
    "ReviewItemView",
    "ReviewListView",
    "RiskDesignationCreateView",
    "RiskDesignationListView",
    "RiskDesignationUpdateView",
    "RunReviewView",
    "ScreeningRunDetailView",
    "ScreeningRunListView",
    "ScreeningRunStartView",
]
