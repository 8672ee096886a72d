"""Pages of the screening module, one module per area."""

from outpost.screening.views.designations import (
    RiskDesignationCreateView,
    RiskDesignationListView,
    RiskDesignationUpdateView,
)
from outpost.screening.views.feeds import FeedDetailView, FeedListView, FeedUploadView
from outpost.screening.views.runs import (
    ScreeningRunDetailView,
    ScreeningRunListView,
    ScreeningRunStartView,
)

__all__ = [
    "FeedDetailView",
    "FeedListView",
    "FeedUploadView",
    "RiskDesignationCreateView",
    "RiskDesignationListView",
    "RiskDesignationUpdateView",
    "ScreeningRunDetailView",
    "ScreeningRunListView",
    "ScreeningRunStartView",
]
