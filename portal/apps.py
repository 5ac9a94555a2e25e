from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The portal for enterprises and industry officers (/portal/)."""

    name = "portal"
    verbose_name = _("Portal")
