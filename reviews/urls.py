from django.urls import path

from . import agreement_views, views

app_name = "reviews"
urlpatterns = [
    path("", views.review_list, name="list"),
    path("portfolios/<int:pk>/", views.portfolio_review, name="portfolio"),
    path("portfolios/<int:pk>/assign/", views.assign, name="assign"),
    path("portfolios/<int:pk>/consolidate/", views.consolidate, name="consolidate"),
    path("portfolios/<int:pk>/more-evidence/", views.request_evidence, name="request_evidence"),
    path("portfolios/<int:pk>/accept/", views.accept_resubmission, name="accept_resubmission"),
    path("portfolios/<int:pk>/advance/", views.advance, name="advance"),
    path("portfolios/<int:pk>/reports/<slug:kind>/", views.report_edit, name="report_edit"),
    path("portfolios/<int:pk>/decision/", views.decision, name="decision"),
    path("portfolios/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/score/", views.score, name="score"),
    path("assignments/<int:pk>/score/<int:criterion_pk>/", views.score_save, name="score_save"),
    path("assignments/<int:pk>/submit/", views.submit_scores, name="submit_scores"),
    path("assignments/<int:pk>/score/next/", views.score_next, name="score_next"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("reports/<int:pk>/release/", views.report_release, name="report_release"),
    path("reports/<int:pk>/render/", views.report_render, name="report_render"),
    # Agreement and calibration (issue 16).
    path("agreement/", agreement_views.overview, name="agreement"),
    path("agreement/mine/", agreement_views.mine, name="agreement_mine"),
    path("agreement/criteria/", agreement_views.criteria, name="agreement_criteria"),
    path("agreement/criteria.csv", agreement_views.criteria_csv, name="agreement_criteria_csv"),
    path("agreement/assessors/<int:pk>/", agreement_views.assessor, name="agreement_assessor"),
    path("calibration/", agreement_views.calibration_home, name="calibration"),
    path("calibration/publish/", agreement_views.calibration_publish, name="calibration_publish"),
    path(
        "calibration/<int:pk>/start/", agreement_views.calibration_begin, name="calibration_start"
    ),
    path(
        "calibration/assignments/<int:pk>/",
        agreement_views.calibration_result,
        name="calibration_result",
    ),
]
