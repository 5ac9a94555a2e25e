"""Django admin: review staff work here. Every write goes through services/."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import cases, forecast, notices, notifications, reference, tokens  # noqa: F401  (registration side effects)

# The product's name in the header and the browser tab, not Django's.
admin.site.site_header = admin.site.site_title = _("Registration-review tracker")
admin.site.index_title = _("Start page")
# No model sidebar: the case list needs the width to show every column at 1366 px; the
# start page and the breadcrumbs lead to every model.
admin.site.enable_nav_sidebar = False
