from django.urls import path

from outpost.keypersons import views

app_name = "keypersons"

urlpatterns = [
    path("", views.KeyPersonListView.as_view(), name="list"),
    path("new/", views.KeyPersonNewView.as_view(), name="new"),
    path("new/residents/", views.ResidentSearchView.as_view(), name="resident_search"),
    path(
        "new/resident/<int:pk>/",
        views.KeyPersonFromResidentView.as_view(),
        name="new_from_resident",
    ),
    path("from-screening/", views.KeyPersonsFromScreeningView.as_view(), name="from_screening"),
    path("<int:pk>/", views.KeyPersonDetailView.as_view(), name="detail"),
    path("<int:pk>/status/", views.KeyPersonStatusView.as_view(), name="status"),
    path("<int:pk>/reveal/", views.KeyPersonRevealView.as_view(), name="reveal"),
]
