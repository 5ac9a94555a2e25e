"""Django admin: review staff work here. Every write goes through services/."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import cases, reference, tokens  # noqa: F401  (registration side effects)

# The product's name in the header and the browser tab, not Django's (issue 8).
admin.site.site_header = admin.site.site_title = _("Registration-review tracker")
admin.site.index_title = _("Start page")
