from django.urls import path

from outpost.core import views
from outpost.core.accounts import views as account_views
from outpost.core.exports import views as export_views
from outpost.core.imports import views as import_views
from outpost.core.retention import views as retention_views
from outpost.core.subject_requests import views as request_views

app_name = "core"

urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("access-log/", views.AccessLogListView.as_view(), name="access_log"),
    path("access-log/export/", views.AccessLogExportView.as_view(), name="access_log_export"),
    path(
        "processing-register/",
        views.ProcessingRegisterView.as_view(),
        name="processing_register",
    ),
    path(
        "processing-register/export/",
        views.ProcessingRegisterExportView.as_view(),
        name="processing_register_export",
    ),
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
    path("exports/<uuid:pk>/", export_views.ExportStatusView.as_view(), name="export_status"),
    path(
        "exports/<uuid:pk>/download/",
        export_views.ExportDownloadView.as_view(),
        name="export_download",
    ),
    path("users/", account_views.UserListView.as_view(), name="user_list"),
    path("users/new/", account_views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", account_views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", account_views.UserUpdateView.as_view(), name="user_edit"),
    path(
        "users/<int:pk>/reset-password/",
        account_views.UserActionView.as_view(action="reset_password"),
        name="user_reset_password",
    ),
    path(
        "users/<int:pk>/deactivate/",
        account_views.UserActionView.as_view(action="deactivate"),
        name="user_deactivate",
    ),
    path(
        "users/<int:pk>/reactivate/",
        account_views.UserActionView.as_view(action="reactivate"),
        name="user_reactivate",
    ),
    path(
        "users/<int:pk>/unlock/",
        account_views.UserActionView.as_view(action="unlock"),
        name="user_unlock",
    ),
    path("lockouts/", account_views.LockoutListView.as_view(), name="lockout_list"),
    path(
        "retention/",
        retention_views.RetentionPolicyListView.as_view(),
        name="retention_policies",
    ),
    path(
        "retention/policies/<str:kind>/",
        retention_views.RetentionPolicyEditView.as_view(),
        name="retention_policy_edit",
    ),
    path(
        "retention/certificates/",
        retention_views.PurgeCertificateListView.as_view(),
        name="purge_certificates",
    ),
    path(
        "retention/certificates/<int:pk>/",
        retention_views.PurgeCertificateDetailView.as_view(),
        name="purge_certificate",
    ),
    path("retention/holds/", retention_views.LegalHoldListView.as_view(), name="legal_holds"),
    path(
        "retention/holds/new/",
        retention_views.LegalHoldCreateView.as_view(),
        name="legal_hold_create",
    ),
    path(
        "retention/holds/<int:pk>/release/",
        retention_views.LegalHoldReleaseView.as_view(),
        name="legal_hold_release",
    ),
]
# People's requests about their personal information (个人信息权利请求).
urlpatterns += [
    path("requests/", request_views.SubjectRequestListView.as_view(), name="subject_request_list"),
    path(
        "requests/new/", request_views.SubjectRequestNewView.as_view(), name="subject_request_new"
    ),
    path(
        "requests/<int:pk>/",
        request_views.SubjectRequestDetailView.as_view(),
        name="subject_request_detail",
    ),
    path(
        "requests/<int:pk>/holdings/",
        request_views.SubjectRequestHoldingsView.as_view(),
        name="subject_request_holdings",
    ),
    path(
        "requests/<int:pk>/answer/",
        request_views.SubjectRequestAnswerView.as_view(),
        name="subject_request_answer",
    ),
    path(
        "requests/<int:pk>/anonymise/",
        request_views.SubjectRequestAnonymiseView.as_view(),
        name="subject_request_anonymise",
    ),
    path(
        "requests/<int:pk>/keep/",
        request_views.SubjectRequestKeepView.as_view(),
        name="subject_request_keep",
    ),
]
