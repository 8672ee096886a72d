from django.urls import path

from outpost.enterprises.notices import views

app_name = "enterprise_notices"

urlpatterns = [
    path("", views.NoticeListView.as_view(), name="list"),
    path("new/", views.NoticeNewView.as_view(), name="new"),
    path("<int:pk>/", views.NoticeDetailView.as_view(), name="detail"),
    path("receipts/<int:pk>/confirm/", views.ReceiptConfirmView.as_view(), name="confirm"),
    path("receipts/<int:pk>/escalate/", views.ReceiptEscalateView.as_view(), name="escalate"),
    path("receipts/<int:pk>/call/", views.ReceiptCallView.as_view(), name="call"),
    path("calls/", views.CallListView.as_view(), name="calls"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
]
