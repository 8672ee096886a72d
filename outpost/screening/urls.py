from django.urls import path

from outpost.screening import views

app_name = "screening"

urlpatterns = [
    # Risk designations (风险地区认定): reference data, no personal data.
    path("designations/", views.RiskDesignationListView.as_view(), name="designation_list"),
    path("designations/new/", views.RiskDesignationCreateView.as_view(), name="designation_create"),
    path(
        "designations/<int:pk>/edit/",
        views.RiskDesignationUpdateView.as_view(),
        name="designation_update",
    ),
    # Feeds (比对数据源).
    path("feeds/", views.FeedListView.as_view(), name="feed_list"),
    path("feeds/upload/", views.FeedUploadView.as_view(), name="feed_upload"),
    path("feeds/<int:pk>/", views.FeedDetailView.as_view(), name="feed_detail"),
    # Screening runs (大数据比对).
    path("runs/", views.ScreeningRunListView.as_view(), name="run_list"),
    path("runs/new/", views.ScreeningRunStartView.as_view(), name="run_start"),
    path("runs/<int:pk>/", views.ScreeningRunDetailView.as_view(), name="run_detail"),
    # Review queue (比对人工确认) and concealed-travel discrepancies (出行信息不一致).
    path("runs/<int:pk>/review/", views.RunReviewView.as_view(), name="run_review"),
    path("review/", views.ReviewListView.as_view(), name="review_list"),
    path("review/<int:pk>/", views.ReviewItemView.as_view(), name="review_item"),
    path("discrepancies/", views.DiscrepancyListView.as_view(), name="discrepancy_list"),
    path(
        "discrepancies/<int:pk>/",
        views.DiscrepancyDetailView.as_view(),
        name="discrepancy_detail",
    ),
]
