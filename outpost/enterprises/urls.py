from django.urls import path

from outpost.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("mine/", views.MyEnterpriseView.as_view(), name="mine"),
    path("new/", views.EnterpriseNewView.as_view(), name="new"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="edit"),
    path("<int:pk>/contacts/new/", views.ContactNewView.as_view(), name="contact_new"),
    path("<int:pk>/liaisons/new/", views.LiaisonBindView.as_view(), name="liaison_new"),
    path("contacts/<int:pk>/archive/", views.ContactArchiveView.as_view(), name="contact_archive"),
    path("contacts/<int:pk>/reveal/", views.ContactRevealView.as_view(), name="contact_reveal"),
]
