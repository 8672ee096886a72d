from django.urls import path

from outpost.core.exports.views import export_moved
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
    path("<int:pk>/call/", views.KeyPersonCallView.as_view(), name="call"),
]

# Four-on-one teams (四包一) and the contact ledger (工作台账).
urlpatterns += [
    path("mine/", views.MyKeyPersonsView.as_view(), name="mine"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("overdue/", views.OverdueView.as_view(), name="overdue"),
    path("<int:pk>/team/", views.TeamView.as_view(), name="team"),
    path("<int:pk>/contacts/new/", views.ContactNewView.as_view(), name="contact_new"),
    path("ledger/", views.ContactLedgerExportView.as_view(), name="ledger"),
    # Old addresses of a ledger export: they lead to the pages every export shares.
    path("ledger/<uuid:pk>/", export_moved("status"), name="ledger_status"),
    path("ledger/<uuid:pk>/download/", export_moved("download"), name="ledger_download"),
]
