from django.urls import path

from outpost.core import views

app_name = "core"

urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("access-log/", views.AccessLogListView.as_view(), name="access_log"),
]
