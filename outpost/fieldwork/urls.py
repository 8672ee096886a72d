from django.urls import path

from outpost.fieldwork import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.OfflineView.as_view(), name="offline"),
    path("flags/", views.FlagListView.as_view(), name="flags"),
    path("flags/<int:pk>/seen/", views.FlagSeenView.as_view(), name="flag_seen"),
]
