from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.login_limits import admin_login
from helpdesk.health import HealthView

urlpatterns = [
    # The admin's own login view, with the per-address limit of the API's login on it.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/", include("tickets.api.urls")),
    path("api/v1/", include("notifications.api.urls")),
    path("api/v1/", include("helpcentre.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so
    # the Content-Security-Policy needs no exception.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("healthz", HealthView.as_view(), name="healthz"),
    # Email providers' inbound webhooks (SPEC §10)
    path("inbound/", include("mail.urls")),
]

handler400 = "helpdesk.errors.bad_request"
handler403 = "helpdesk.errors.permission_denied"
handler404 = "helpdesk.errors.not_found"
handler500 = "helpdesk.errors.server_error"
