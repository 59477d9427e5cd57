from django.urls import path

from . import views

app_name = "programmes"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/team/", views.team_assign, name="team"),
    path("cycles/<int:pk>/action-points/", views.action_point_create, name="action_point"),
    path("units/<int:unit_pk>/start/", views.cycle_start, name="start"),
    path("units/<int:unit_pk>/nominate/", views.reviewer_nominate, name="nominate"),
    path("reviewers/", views.reviewer_list, name="reviewers"),
    path("reviewers/<int:pk>/approve/", views.reviewer_approve, name="reviewer_approve"),
    path("national/<int:year>/", views.national, name="national"),
    path("national/<int:year>/national-report.csv", views.national_csv, name="national_csv"),
    path("national/<int:year>/render/", views.national_render, name="national_render"),
    path("national/<int:year>/national-report.pdf", views.national_pdf, name="national_pdf"),
]
