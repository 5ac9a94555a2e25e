"""django-axes (the sign-in lockout) under a translated name in the admin: it ships no Simplified
Chinese, so its section read "AXES: Access attempts" on Chinese pages. Its models' and columns'
names are translated in this project's catalogue (staff/wording.py)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in lockout")
