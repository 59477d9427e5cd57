from django.urls import path

from . import views

app_name = "standards"
urlpatterns = [
    path("", views.standard_list, name="list"),
    path("<int:number>/", views.standard_detail, name="detail"),
]
