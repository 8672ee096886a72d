from django.urls import path

from outpost.core import views
from outpost.core.imports import views as import_views

app_name = "core"

urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("access-log/", views.AccessLogListView.as_view(), name="access_log"),
    path("api-tokens/", views.ApiTokenView.as_view(), name="api_tokens"),
    path(
        "api-tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"
    ),
    path("imports/", import_views.ImportListView.as_view(), name="import_list"),
    path("imports/<int:pk>/", import_views.ImportDetailView.as_view(), name="import_detail"),
    path(
        "imports/<int:pk>/columns/", import_views.ImportMappingView.as_view(), name="import_mapping"
    ),
    path(
        "imports/<int:pk>/errors/",
        import_views.ImportErrorReportView.as_view(),
        name="import_errors",
    ),
]
