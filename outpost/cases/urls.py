from django.urls import path

from outpost.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("new/", views.CaseCreateView.as_view(), name="new"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("export/", views.LedgerExportView.as_view(), name="ledger_export"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/state/", views.CaseTransitionView.as_view(), name="transition"),
    path("<int:pk>/parties/", views.PartyAddView.as_view(), name="party_add"),
    path("<int:pk>/measures/", views.MeasureAddView.as_view(), name="measure_add"),
    path("<int:pk>/seize/", views.SeizeView.as_view(), name="seize"),
    path("items/", views.ItemListView.as_view(), name="item_list"),
    path("items/print/", views.ItemsPrintView.as_view(), name="items_print"),
    path("items/export/", views.ItemsExportView.as_view(), name="items_export"),
    path("items/disposals/", views.DisposalListView.as_view(), name="disposal_list"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item_detail"),
    path("items/<int:pk>/move/", views.ItemMoveView.as_view(), name="item_move"),
    path("items/<int:pk>/dispose/", views.DisposalRequestView.as_view(), name="disposal_request"),
    path("items/<int:pk>/decide/", views.DisposalDecideView.as_view(), name="disposal_decide"),
    path("items/<int:pk>/photos/", views.PhotoAddView.as_view(), name="photo_add"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
]
