from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/export.csv", views.unit_export, name="unit_export"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/register/", views.unit_register_choice, name="unit_register"),
    path("units/<int:pk>/memberships/new/", views.membership_create, name="membership_create"),
    path("units/<int:pk>/invite/", views.invitation_create, name="invitation_create"),
    path("memberships/<int:pk>/renew/", views.membership_renew, name="membership_renew"),
    path("memberships/<int:pk>/status/", views.membership_status, name="membership_status"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
    path("roles/<int:pk>/change/", views.role_change, name="role_change"),
    path("people/", views.person_list, name="person_list"),
    path("settings/", views.secure_settings, name="secure_settings"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/preview/", views.import_preview, name="import_preview"),
    path("import/cancel/", views.import_cancel, name="import_cancel"),
]
