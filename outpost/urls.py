from django.contrib import admin
from django.urls import include, path

from outpost.api import api
from outpost.core.accounts import views as account_views
from outpost.core.views import HomeView, language_set
from outpost.fieldwork import views as field_views

admin.site.site_header = "Outpost"

# Styled, translated error pages in the app's shell; JSON under /api/ (core/errors.py).
handler403 = "outpost.core.errors.permission_denied"
handler404 = "outpost.core.errors.page_not_found"
handler500 = "outpost.core.errors.server_error"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/login/", account_views.OutpostLoginView.as_view(), name="login"),
    # Logging out also wipes what the field pages keep on the phone (outpost/fieldwork).
    path("accounts/logout/", field_views.FieldLogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        account_views.OwnPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/reset/",
        account_views.EmailPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        account_views.EmailPasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        account_views.EmailPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("i18n/setlang/", language_set, name="set_language"),
    path("core/", include("outpost.core.urls")),
    path("registry/", include("outpost.registry.urls")),
    path("screening/", include("outpost.screening.urls")),
    path("keypersons/", include("outpost.keypersons.urls")),
    path("enterprises/", include("outpost.enterprises.urls")),
    path("notify/", include("outpost.notify.urls")),
    path("dispatch/", include("outpost.dispatch.urls")),
    path("observation/", include("outpost.observation.urls")),
    path("briefing/", include("outpost.briefing.urls")),
    path("publicorder/", include("outpost.publicorder.urls")),
    path("duty/", include("outpost.duty.urls")),
    path("enterprises/dormitories/", include("outpost.enterprises.urls_dormitories")),
    path("enterprises/tests/", include("outpost.enterprises.urls_employees")),
    path("enterprises/", include("outpost.enterprises.supplies.urls")),
    path("enterprises/notices/", include("outpost.enterprises.notices.urls")),
    path("inquiries/", include("outpost.inquiries.urls")),
    path("ask/", include("outpost.inquiries.urls_public")),
    path("cases/", include("outpost.cases.urls")),
    path("fieldwork/", include("outpost.fieldwork.urls")),
    # The field pages' web app: at the site's root, so that the service worker's scope may
    # hold them all.
    path("sw.js", field_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", field_views.manifest, name="web_manifest"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
