from django.urls import path

from . import views

app_name = "portfolios"
urlpatterns = [
    path("", views.portfolio_list, name="list"),
    path("start/", views.portfolio_start, name="start"),
    path("<int:pk>/", views.portfolio_detail, name="detail"),
    path("<int:pk>/criteria/<str:code>/", views.criterion_edit, name="criterion"),
    path("<int:pk>/evidence/", views.evidence_library_view, name="evidence_library"),
    path("<int:pk>/evidence/upload/", views.evidence_upload_view, name="evidence_upload"),
    path("<int:pk>/evidence/text/", views.evidence_text_create, name="evidence_text"),
    path("<int:pk>/evidence/declare/", views.evidence_declare_view, name="evidence_declare"),
    path("<int:pk>/changes/", views.portfolio_diff, name="diff"),
    path("<int:pk>/export.zip", views.portfolio_export_zip, name="export_zip"),
    path("<int:pk>/submit/", views.portfolio_submit_view, name="submit"),
    path("<int:pk>/print/", views.portfolio_print, name="print"),
    path("<int:pk>/print/portfolio.pdf", views.portfolio_print_download, name="print_download"),
    path("evidence/<int:pk>/", views.evidence_edit, name="evidence_edit"),
    path("evidence/<int:pk>/delete/", views.evidence_delete_view, name="evidence_delete"),
    path("evidence/<int:pk>/link/", views.evidence_link_view, name="evidence_link"),
    path("evidence/<int:pk>/unlink/", views.evidence_unlink_view, name="evidence_unlink"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
]
