from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from helpdesk.health import HealthView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("tickets.api.urls")),
    path("api/v1/", include("notifications.api.urls")),
    path("api/v1/", include("helpcentre.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("healthz", HealthView.as_view(), name="healthz"),
]

handler400 = "helpdesk.errors.bad_request"
handler403 = "helpdesk.errors.permission_denied"
handler404 = "helpdesk.errors.not_found"
handler500 = "helpdesk.errors.server_error"
