from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastConfig(AppConfig):
    name = "forecast"
    verbose_name = _("Completion forecasts")
    default_auto_field = "django.db.models.BigAutoField"
