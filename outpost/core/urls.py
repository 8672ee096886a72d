from django.urls import path

from outpost.core import views
from outpost.core.exports import views as export_views
from outpost.core.imports import views as import_views

app_name = "core"

urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("access-log/", views.AccessLogListView.as_view(), name="access_log"),
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
    path("exports/<uuid:pk>/", export_views.ExportStatusView.as_view(), name="export_status"),
    path(
        "exports/<uuid:pk>/download/",
        export_views.ExportDownloadView.as_view(),
        name="export_download",
    ),
]
