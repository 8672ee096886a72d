"""Dormitory pages, under /enterprises/dormitories/ (namespace ``dormitories``)."""

from django.urls import path

from outpost.enterprises import views_dormitories as views

app_name = "dormitories"

urlpatterns = [
    path("", views.OfferListView.as_view(), name="offer_list"),
    path("offers/new/", views.OfferNewView.as_view(), name="offer_new"),
    path("offers/<int:pk>/", views.OfferDetailView.as_view(), name="offer_detail"),
    path("offers/<int:pk>/rooms/new/", views.OfferRoomAddView.as_view(), name="room_new"),
    path("offers/<int:pk>/withdraw/", views.OfferWithdrawView.as_view(), name="offer_withdraw"),
    path("requests/", views.RequestListView.as_view(), name="request_list"),
    path("requests/new/", views.RequestNewView.as_view(), name="request_new"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/match/", views.RequestMatchView.as_view(), name="request_match"),
    path(
        "requests/<int:pk>/withdraw/",
        views.RequestWithdrawView.as_view(),
        name="request_withdraw",
    ),
    path("requests/<int:pk>/reveal/", views.RequestRevealView.as_view(), name="request_reveal"),
    path("stays/", views.StayListView.as_view(), name="stay_list"),
    path("stays/<int:pk>/end/", views.StayEndView.as_view(), name="stay_end"),
]
