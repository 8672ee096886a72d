from django.urls import path

from outpost.notify import views

app_name = "notify"

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/read-all/", views.InboxReadAllView.as_view(), name="inbox_read_all"),
    path("inbox/<int:pk>/", views.InboxMessageDetailView.as_view(), name="message_detail"),
    path("inbox/settings/", views.DeliveryPreferenceView.as_view(), name="preferences"),
    path("inbox/<int:pk>/read/", views.InboxMessageReadView.as_view(), name="message_read"),
    path(
        "receipts/<str:provider>/<str:token>/",
        views.ProviderReceiptView.as_view(),
        name="provider_receipt",
    ),
]
