"""Public award pages: the register and certificate verification."""

from django.urls import path

from . import award_views

app_name = "awards"
urlpatterns = [
    path("awards/", award_views.award_register, name="register"),
    path("verify/<str:code>/", award_views.certificate_verify, name="verify"),
]
