from django.urls import path

from outpost.inquiries import views

app_name = "inquiries"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("log/", views.QuickLogView.as_view(), name="log"),
    path("links/", views.PublicLinksView.as_view(), name="links"),
    path("<int:pk>/", views.QuestionDetailView.as_view(), name="detail"),
    path("<int:pk>/answer/", views.AnswerView.as_view(), name="answer"),
    path("<int:pk>/hand-off/", views.HandOffView.as_view(), name="hand_off"),
    path("<int:pk>/to-faq/", views.FaqProposeView.as_view(), name="faq_propose"),
    path("faq/", views.FaqListView.as_view(), name="faq_list"),
    path("faq/<int:pk>/", views.FaqDetailView.as_view(), name="faq_detail"),
    path("faq/<int:pk>/review/", views.FaqReviewView.as_view(), name="faq_review"),
    path("faq/<int:pk>/revise/", views.FaqReviseView.as_view(), name="faq_revise"),
    path("faq/<int:pk>/correction/", views.FaqCorrectionView.as_view(), name="faq_correction"),
]
