from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from network import views as network_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("i18n/setlang/", network_views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password-change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("standards/", include("standards.urls")),
    path("network/", include("network.urls")),
    path("portfolios/", include("portfolios.urls")),
    path("reviews/", include("reviews.urls")),
    path("programmes/cofc/", include("programmes.urls")),
    path("", include("questionnaires.urls")),  # /q/<token>/ (anonymous), /questionnaires/...
    path("", include("awards.urls")),  # /awards/, /verify/<code>/, /privacy/people/...
    path("django-admin/", admin.site.urls),
]

if settings.EE_BENCH_VIEWS:
    urlpatterns += [path("bench/bare/", views.bench_bare, name="bench_bare")]

handler404 = "ee_portal.errors.page_not_found"
handler500 = "ee_portal.errors.server_error"
handler403 = "ee_portal.errors.permission_denied"
