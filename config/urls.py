from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import urls as api_urls
from portal import urls as portal_urls
from staff.logout import admin_logout
from staff.notice_preview import admin_preview
from web.health import healthz
from web.i18n import set_language

urlpatterns = [
    # The front door: enterprises and officers land on the portal (staff follow its admin link).
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False), name="home"),
    # Staff preview of the notice an admin action would issue (before admin's catch-all).
    path("admin/notice-preview/<int:pk>/<str:action>/", admin_preview, name="notice-preview"),
    # Sign-out is POST only; a GET goes to the admin's home instead of a bare 405.
    path("admin/logout/", admin_logout),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urls)),
    # OpenAPI schema, its interactive docs (assets from drf-spectacular-sidecar), portal.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # metadata_class=None: OPTIONS is a 405 (its metadata body crashed the HTML renderer: a 500).
    # The split view serves Swagger UI's start-up script as a file: no inline script for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", metadata_class=None),
         name="api-docs"),
    path("portal/", include(portal_urls)),  # docs/api.md#the-portal
    path("dashboard/", include("dashboard.urls")),  # the performance dashboard (docs/dashboard.md)
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page declares.
    path("favicon.ico", RedirectView.as_view(url=static("portal/favicon.svg"), permanent=True)),
]

# Unknown addresses under /api/ answer with the API's JSON error body; every error under /api/ is
# JSON, never an HTML page (docs/api.md).
handler404 = "api.errors.page_not_found"
handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler500 = "api.errors.server_error"
