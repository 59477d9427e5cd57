from django.urls import path

from . import views

app_name = "questionnaires"

urlpatterns = [
    # Anonymous: the link is the credential (unguessable token).
    path("q/<str:token>/", views.answer, name="answer"),
    path("q/<str:token>/thanks/", views.thanks, name="thanks"),
    path("q/<str:token>/contribute/", views.contribute, name="contribute"),
    # Signed in.
    path("questionnaires/portfolio/<int:pk>/", views.rounds, name="rounds"),
    path("questionnaires/portfolio/<int:pk>/open/", views.round_open_view, name="round_open"),
    path(
        "questionnaires/portfolio/<int:pk>/responses.csv",
        views.portfolio_export,
        name="portfolio_export",
    ),
    path(
        "questionnaires/portfolio/<int:pk>/contributions/",
        views.contributions,
        name="contributions",
    ),
    path("questionnaires/rounds/<int:pk>/", views.round_detail, name="round"),
    path("questionnaires/rounds/<int:pk>/close/", views.round_close_view, name="round_close"),
    path("questionnaires/rounds/<int:pk>/paper/", views.paper_entry, name="paper_entry"),
    path(
        "questionnaires/rounds/<int:pk>/documents/<str:kind>/",
        views.document_render,
        name="document_render",
    ),
    path(
        "questionnaires/rounds/<int:pk>/documents/<str:kind>.pdf",
        views.document_download,
        name="document_download",
    ),
    path(
        "questionnaires/contributions/<int:pk>/accept/",
        views.contribution_accept_view,
        name="contribution_accept",
    ),
    path(
        "questionnaires/contributions/<int:pk>/decline/",
        views.contribution_decline_view,
        name="contribution_decline",
    ),
    path(
        "questionnaires/contributions/<int:pk>/file/",
        views.contribution_file,
        name="contribution_file",
    ),
    path("questionnaires/national/", views.national, name="national"),
    path("questionnaires/national/responses.csv", views.national_export, name="national_export"),
]
