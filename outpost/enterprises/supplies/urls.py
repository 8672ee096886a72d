from django.urls import path

from outpost.enterprises.supplies import views

app_name = "supplies"

# Requests (诉求).
urlpatterns = [
    path("requests/", views.RequestListView.as_view(), name="request_list"),
    path("requests/new/", views.RequestNewView.as_view(), name="request_new"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/assign/", views.RequestAssignView.as_view(), name="request_assign"),
    path("requests/<int:pk>/step/", views.RequestStepView.as_view(), name="request_step"),
    path("requests/<int:pk>/close/", views.RequestCloseView.as_view(), name="request_close"),
    path("requests/<int:pk>/confirm/", views.RequestConfirmView.as_view(), name="request_confirm"),
    path("requests/<int:pk>/reopen/", views.RequestReopenView.as_view(), name="request_reopen"),
]

# The donations ledger (捐赠物资台账): stores, donations, distributions, donors.
urlpatterns += [
    path("supplies/", views.StoreView.as_view(), name="store"),
    path("supplies/stock/<int:pk>/", views.StockDetailView.as_view(), name="stock_detail"),
    path("supplies/ledger/", views.LedgerView.as_view(), name="ledger"),
    path("supplies/ledger/export/", views.LedgerExportView.as_view(), name="ledger_export"),
    path("supplies/donations/new/", views.DonationNewView.as_view(), name="donation_new"),
    path(
        "supplies/donations/<int:pk>/", views.DonationDetailView.as_view(), name="donation_detail"
    ),
    path(
        "supplies/distributions/new/",
        views.DistributionNewView.as_view(),
        name="distribution_new",
    ),
    path(
        "supplies/distributions/<int:pk>/",
        views.DistributionDetailView.as_view(),
        name="distribution_detail",
    ),
    path(
        "supplies/distributions/<int:pk>/receipt/",
        views.DistributionReceiptView.as_view(),
        name="distribution_receipt",
    ),
    path("supplies/donors/", views.DonorListView.as_view(), name="donor_list"),
    path("supplies/donors/<int:pk>/", views.DonorDetailView.as_view(), name="donor_detail"),
    path("supplies/donors/<int:pk>/reveal/", views.DonorRevealView.as_view(), name="donor_reveal"),
]
