from django.urls import path

from . import privacy_views

app_name = "privacy"
urlpatterns = [
    path("people/<int:pk>/export.zip", privacy_views.person_export, name="person_export"),
]
