from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from outpost.api import api
from outpost.core.views import HomeView

admin.site.site_header = "Outpost"

# Styled, translated error pages in the app's shell; JSON under /api/ (core/errors.py).
handler403 = "outpost.core.errors.permission_denied"
handler404 = "outpost.core.errors.page_not_found"
handler500 = "outpost.core.errors.server_error"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("core/", include("outpost.core.urls")),
    path("registry/", include("outpost.registry.urls")),
    path("screening/", include("outpost.screening.urls")),
    path("keypersons/", include("outpost.keypersons.urls")),
    path("notify/", include("outpost.notify.urls")),
    path("dispatch/", include("outpost.dispatch.urls")),
    path("observation/", include("outpost.observation.urls")),
    path("briefing/", include("outpost.briefing.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
