"""URLs of the employees' daily tests (员工每日检测), under /enterprises/tests/."""

from django.urls import path

from outpost.enterprises import views_employees as views

app_name = "enterprise_tests"

urlpatterns = [
    path("", views.UnreportedView.as_view(), name="unreported"),
    path("<int:pk>/", views.EnterpriseTestsView.as_view(), name="enterprise"),
    path("<int:pk>/report/", views.DayReportView.as_view(), name="report"),
    path("<int:pk>/remind/", views.RemindView.as_view(), name="remind"),
    path("<int:pk>/employees/", views.EmployeeListView.as_view(), name="employees"),
    path("<int:pk>/employees/new/", views.EmployeeNewView.as_view(), name="employee_new"),
    path(
        "<int:pk>/employees/import/",
        views.SpreadsheetUploadView.as_view(kind=views.EMPLOYEES_IMPORT),
        name="employees_import",
    ),
    path(
        "<int:pk>/import/",
        views.SpreadsheetUploadView.as_view(kind=views.TESTS_IMPORT),
        name="tests_import",
    ),
    path("employees/<int:pk>/", views.EmployeeDetailView.as_view(), name="employee_detail"),
    path("employees/<int:pk>/edit/", views.EmployeeEditView.as_view(), name="employee_edit"),
    path("employees/<int:pk>/reveal/", views.EmployeeRevealView.as_view(), name="employee_reveal"),
]
