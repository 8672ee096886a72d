from django.urls import path

from outpost.core.exports.views import export_moved
from outpost.dispatch import views

app_name = "dispatch"

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="order_list"),
    path("orders/new/", views.OrderUploadView.as_view(), name="order_upload"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order_detail"),
    path("orders/<int:pk>/duty-desk/", views.DutyDeskView.as_view(), name="duty_desk"),
    path("orders/<int:pk>/feedback/", views.FeedbackExportView.as_view(), name="feedback"),
    # Old addresses of a feedback export: they lead to the pages every export shares.
    path("feedback/<uuid:pk>/", export_moved("status"), name="feedback_status"),
    path("feedback/<uuid:pk>/download/", export_moved("download"), name="feedback_download"),
    path("my-items/", views.MyItemsView.as_view(), name="my_items"),
    path("items/<int:pk>/", views.ItemResultView.as_view(), name="item_result"),
    path("items/<int:pk>/assign/", views.ItemAssignView.as_view(), name="item_assign"),
    path("items/<int:pk>/review/", views.ItemReviewView.as_view(), name="item_review"),
]
