"""The dashboard has no table of its own: its figures are computed from the stages and clock stops
at request time. This unmanaged model only carries the permission to see it (given by default to
supervisors and directors; an administrator can give it to any staff group)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", _("Can see the performance dashboard and export its figures"))]
        verbose_name = _("performance dashboard")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
