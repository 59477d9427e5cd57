"""Award pages: the public register and verification, unit and admin award pages, and the
person data export (its path, /privacy/people/<pk>/export.zip, is unchanged)."""

from django.urls import path

from . import views

app_name = "awards"
urlpatterns = [
    path("awards/", views.award_register, name="register"),
    path("verify/<str:code>/", views.certificate_verify, name="verify"),
    path("awards/manage/", views.award_list, name="list"),
    path("awards/<int:pk>/", views.award_detail, name="detail"),
    path("awards/<int:pk>/certificate.pdf", views.certificate_download, name="certificate"),
    path("awards/<int:pk>/suspend/", views.award_suspend_view, name="suspend"),
    path("awards/<int:pk>/revoke/", views.award_revoke_view, name="revoke"),
    path("awards/<int:pk>/reinstate/", views.award_reinstate_view, name="reinstate"),
    path("awards/<int:pk>/certificate/render/", views.certificate_requeue_view, name="requeue"),
    path("awards/<int:pk>/open-review/", views.award_open_review_view, name="open_review"),
    path("awards/<int:pk>/feedback/", views.feedback_request_view, name="feedback_request"),
    path("awards/<int:pk>/feedback/release/", views.feedback_release_view, name="feedback_release"),
    path("awards/<int:pk>/feedback.pdf", views.feedback_download, name="feedback"),
    path("privacy/people/<int:pk>/export.zip", views.person_export, name="person_export"),
]
