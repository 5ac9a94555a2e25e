from django.contrib import admin
from django.urls import include, path

from review.api import urls as api_urls
from review.health import healthz
from review.i18n import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urls)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", healthz, name="healthz"),
]
