from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The staff performance dashboard (/dashboard/) and its downloads."""

    name = "dashboard"
    verbose_name = _("Performance dashboard")
