from django.urls import path

from outpost.inquiries import views_public

app_name = "inquiries_public"

urlpatterns = [
    path("<int:unit_id>/", views_public.AskView.as_view(), name="ask"),
    path("<int:unit_id>/faq/", views_public.PublicFaqView.as_view(), name="faq"),
    path("<int:unit_id>/qr.svg", views_public.QrCodeView.as_view(), name="qr"),
    path("a/<str:token>/", views_public.PrivateAnswerView.as_view(), name="answer"),
]
