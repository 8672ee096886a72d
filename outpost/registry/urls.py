from django.urls import path

from outpost.core.exports.views import export_moved
from outpost.registry import views

app_name = "registry"

urlpatterns = [
    path("households/", views.HouseholdListView.as_view(), name="household_list"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("households/<int:pk>/call/", views.HouseholdCallView.as_view(), name="household_call"),
    path("residents/", views.ResidentListView.as_view(), name="resident_list"),
    path("residents/<int:pk>/", views.ResidentDetailView.as_view(), name="resident_detail"),
    path("residents/<int:pk>/reveal/", views.ResidentRevealView.as_view(), name="resident_reveal"),
    path("residents/<int:pk>/call/", views.ResidentCallView.as_view(), name="resident_call"),
    path("residents/<int:pk>/edit/", views.ResidentEditView.as_view(), name="resident_edit"),
    # Door-to-door visits (入户排查) and screening campaigns (排查批次).
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("my-grid/", views.MyGridView.as_view(), name="my_grid"),
    path("visits/new/<int:pk>/", views.VisitFormView.as_view(), name="visit_form"),
    path("visits/<int:pk>/saved/", views.VisitSavedView.as_view(), name="visit_saved"),
    path("visits/<int:pk>/undo/", views.VisitUndoView.as_view(), name="visit_undo"),
    path(
        "visits/new/<int:pk>/member/",
        views.VisitAddMemberView.as_view(),
        name="visit_add_member",
    ),
]
# Duplicate persons (疑似重复人员) and ledger exports (台账导出).
urlpatterns += [
    path("duplicates/", views.DuplicateListView.as_view(), name="duplicate_list"),
    path("residents/<int:pk>/merge/", views.ResidentMergeView.as_view(), name="resident_merge"),
    path("exports/", views.LedgerExportView.as_view(), name="export"),
    # Addresses of the time before the shared export pages: they lead there.
    path("exports/<uuid:pk>/", export_moved("status"), name="export_status"),
    path("exports/<uuid:pk>/download/", export_moved("download"), name="export_download"),
]
