from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """The staff admin: ModelAdmins for every model, the case page and its action buttons."""

    name = "staff"
    verbose_name = _("Staff admin")
