from django.urls import path

from outpost.publicorder import views

app_name = "publicorder"
urlpatterns = [
    path("venues/", views.VenueListView.as_view(), name="venue_list"),
    path("venues/new/", views.VenueNewView.as_view(), name="venue_new"),
    path("venues/<int:pk>/", views.VenueDetailView.as_view(), name="venue_detail"),
    path("venues/<int:pk>/reveal/", views.VenueRevealView.as_view(), name="venue_reveal"),
    path("venues/<int:pk>/inspect/", views.InspectionNewView.as_view(), name="inspection_new"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection_detail"),
    path("inspections/<int:pk>/follow-up/", views.FollowUpView.as_view(), name="follow_up"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="follow_ups"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignNewView.as_view(), name="campaign_new"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/export/", views.CampaignExportView.as_view(), name="campaign_export"),
    path("closures/<int:pk>/", views.ClosureAdvanceView.as_view(), name="closure_advance"),
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("events/new/", views.EventNewView.as_view(), name="event_new"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event_detail"),
    path("events/<int:pk>/cancel/", views.EventCancelView.as_view(), name="event_cancel"),
    path("events/<int:pk>/reveal/", views.EventRevealView.as_view(), name="event_reveal"),
    path("routes/", views.RouteListView.as_view(), name="route_list"),
    path("routes/<int:pk>/", views.RouteDetailView.as_view(), name="route_detail"),
    path("routes/<int:pk>/sheet/", views.RouteSheetView.as_view(), name="route_sheet"),
    path("routes/<int:pk>/start/", views.PatrolStartView.as_view(), name="patrol_start"),
    path("patrols/", views.PatrolLogView.as_view(), name="patrol_log"),
    path("patrols/exceptions/", views.PatrolExceptionListView.as_view(), name="patrol_exceptions"),
    path("patrols/<int:pk>/", views.PatrolDetailView.as_view(), name="patrol_detail"),
    path("patrols/<int:pk>/check-in/", views.PatrolCheckInView.as_view(), name="patrol_check_in"),
    path("patrols/<int:pk>/finish/", views.PatrolFinishView.as_view(), name="patrol_finish"),
    path(
        "patrols/<int:pk>/acknowledge/",
        views.PatrolAcknowledgeView.as_view(),
        name="patrol_acknowledge",
    ),
    path("scan/", views.ScanView.as_view(), name="scan"),
    path("incidents/", views.IncidentDashboardView.as_view(), name="incidents"),
]
