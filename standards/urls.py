from django.urls import path

from . import views

app_name = "standards"
urlpatterns = [
    path("", views.standard_list, name="list"),
    path("<int:number>/", views.standard_detail, name="detail"),
    # A network's standards (issue 14): every standard and typed criterion on one page.
    path("programmes/<slug:programme>/", views.programme_standards, name="programme"),
]
