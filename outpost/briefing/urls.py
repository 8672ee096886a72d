from django.urls import path

from outpost.briefing.views import dashboard, report
from outpost.core.exports.views import export_moved

app_name = "briefing"

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("figure/", dashboard.FigureRowsView.as_view(), name="figure_rows"),
    path("report/", report.DailyReportExportView.as_view(), name="report"),
    # Old addresses of a report export: they lead to the pages every export shares.
    path("report/<uuid:pk>/", export_moved("status"), name="report_status"),
    path("report/<uuid:pk>/download/", export_moved("download"), name="report_download"),
]
