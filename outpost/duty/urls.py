from django.urls import path

from outpost.duty import views

app_name = "duty"

urlpatterns = [
    path("", views.NowView.as_view(), name="now"),
    path("rosters/", views.RosterListView.as_view(), name="roster_list"),
    path("rosters/new/", views.RosterBuildView.as_view(), name="roster_build"),
    path("rosters/<int:pk>/", views.RosterDetailView.as_view(), name="roster_detail"),
    path("rosters/<int:pk>/publish/", views.RosterPublishView.as_view(), name="roster_publish"),
    path(
        "rosters/<int:pk>/roster.xlsx",
        views.RosterFileView.as_view(kind="xlsx"),
        name="roster_xlsx",
    ),
    path(
        "rosters/<int:pk>/roster.pdf", views.RosterFileView.as_view(kind="pdf"), name="roster_pdf"
    ),
    path(
        "rosters/<int:pk>/record.xlsx",
        views.RosterFileView.as_view(kind="record"),
        name="roster_record",
    ),
    path("shifts/<int:pk>/assign/", views.ShiftAssignView.as_view(), name="shift_assign"),
    path("shifts/<int:pk>/swap/", views.SwapAskView.as_view(), name="swap_ask"),
    path("shifts/<int:pk>/hand-over/", views.HandOverView.as_view(), name="hand_over"),
    path("swaps/", views.SwapListView.as_view(), name="swap_list"),
    path("swaps/<int:pk>/answer/", views.SwapAnswerView.as_view(), name="swap_answer"),
    path("swaps/<int:pk>/decide/", views.SwapDecideView.as_view(), name="swap_decide"),
    path("mine/", views.MineView.as_view(), name="mine"),
    path("leave/", views.LeaveListView.as_view(), name="leave_list"),
    path("leave/new/", views.LeaveNewView.as_view(), name="leave_new"),
    path("leave/<int:pk>/exception/", views.LeaveExceptionView.as_view(), name="leave_exception"),
    path("freezes/new/", views.FreezeNewView.as_view(), name="freeze_new"),
    path("freezes/<int:pk>/", views.FreezeDetailView.as_view(), name="freeze_detail"),
    path("pioneer/", views.PioneerView.as_view(), name="pioneer"),
]
