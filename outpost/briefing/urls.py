from django.urls import path

from outpost.briefing.views import dashboard, report

app_name = "briefing"

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("figure/", dashboard.FigureRowsView.as_view(), name="figure_rows"),
    path("report/", report.DailyReportExportView.as_view(), name="report"),
    path("report/<uuid:pk>/", report.DailyReportStatusView.as_view(), name="report_status"),
    path(
        "report/<uuid:pk>/download/",
        report.DailyReportDownloadView.as_view(),
        name="report_download",
    ),
]
