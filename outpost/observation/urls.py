from django.urls import path

from outpost.observation.views import alerts as alert_views
from outpost.observation.views import checkins as check_in_views
from outpost.observation.views import episodes as episode_views
from outpost.observation.views import links as link_views
from outpost.observation.views import reports as report_views
from outpost.observation.views import sites as site_views
from outpost.observation.views.selfreport import SelfReportView

app_name = "observation"

urlpatterns = [
    # Public: the person's own form, reached through the private link of their SMS.
    path("r/<str:token>/", SelfReportView.as_view(), name="self_report"),
]

# Staff pages: episodes (观察期) and isolation sites (集中隔离点).
urlpatterns += [
    path("episodes/", episode_views.EpisodeListView.as_view(), name="episode_list"),
    path("episodes/<int:pk>/", episode_views.EpisodeDetailView.as_view(), name="episode_detail"),
    path(
        "key-persons/<int:pk>/start/",
        episode_views.EpisodeStartView.as_view(),
        name="episode_start",
    ),
    path(
        "episodes/<int:pk>/extend/",
        episode_views.EpisodeExtendView.as_view(),
        name="episode_extend",
    ),
    path("episodes/<int:pk>/end/", episode_views.EpisodeEndView.as_view(), name="episode_end"),
    path(
        "episodes/<int:pk>/continue/",
        episode_views.EpisodeContinueView.as_view(),
        name="episode_continue",
    ),
    path(
        "episodes/<int:pk>/release/",
        episode_views.EpisodeReleaseView.as_view(),
        name="episode_release",
    ),
    path("episodes/<int:pk>/link/", link_views.LinkIssueView.as_view(), name="link_issue"),
    path("episodes/<int:pk>/link/revoke/", link_views.LinkRevokeView.as_view(), name="link_revoke"),
    path("episodes/<int:pk>/move/", site_views.StayMoveView.as_view(), name="stay_move"),
    path(
        "episodes/<int:pk>/check-out/", site_views.StayCheckOutView.as_view(), name="stay_check_out"
    ),
    path("sites/", site_views.SiteListView.as_view(), name="site_list"),
    path("sites/new/", site_views.SiteNewView.as_view(), name="site_new"),
    path("sites/<int:pk>/", site_views.SiteDetailView.as_view(), name="site_detail"),
    path("sites/<int:pk>/rooms/add/", site_views.RoomsAddView.as_view(), name="rooms_add"),
    path("sites/<int:pk>/check-in/", site_views.StayCheckInView.as_view(), name="stay_check_in"),
    path("sites/<int:pk>/staff/add/", site_views.SiteStaffAddView.as_view(), name="site_staff_add"),
    path("rooms/<int:pk>/state/", site_views.RoomStateView.as_view(), name="room_state"),
]

# Staff pages: alerts (预警), check-ins entered by staff, the site daily report (每日信息通报).
urlpatterns += [
    path("alerts/", alert_views.AlertListView.as_view(), name="alert_list"),
    path("alerts/<int:pk>/", alert_views.AlertDetailView.as_view(), name="alert_detail"),
    path(
        "episodes/<int:pk>/check-ins/new/",
        check_in_views.CheckInCreateView.as_view(),
        name="check_in_create",
    ),
    path("sites/<int:pk>/report/", report_views.SiteReportView.as_view(), name="site_report"),
    path(
        "sites/<int:pk>/report/xlsx/",
        report_views.SiteReportExportView.as_view(),
        name="site_report_xlsx",
    ),
]
