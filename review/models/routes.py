"""Routes as data: the ordered phases of each kind of application.

Choosing a route and its optional phases is data plus a small registry of named conditions
(``review.routes.CONDITIONS``), so a new route is a data change.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import ApplicationType, DeviceClass, StageKind


class Route(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    device_class = models.CharField(
        _("device class"), max_length=3, choices=DeviceClass.choices, blank=True,
        help_text=_("Empty: any class."),
    )
    application_type = models.CharField(
        _("application type"), max_length=10, choices=ApplicationType.choices, blank=True,
        help_text=_("Empty: any type."),
    )
    active = models.BooleanField(
        _("active"), default=True,
        help_text=_("Off: the route is retired. No new application is put on it; cases already on it "
                    "keep it."),
    )

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RouteStep(models.Model):
    """One stage of a route; steps sharing a phase number run in parallel and join."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="steps")
    phase = models.PositiveSmallIntegerField(_("phase"))
    kind = models.CharField(_("stage kind"), max_length=30, choices=StageKind.choices)
    condition = models.CharField(
        _("condition"), max_length=40, blank=True,
        help_text=_("Empty: always. Otherwise the name of an application attribute test."),
    )
    department = models.ForeignKey(
        "review.Department", null=True, blank=True, on_delete=models.SET_NULL,
        verbose_name=_("department"),
    )
    manual_start = models.BooleanField(
        _("starts on receipt"), default=False,
        help_text=_("The clock starts when the handler records a receipt (samples, dossier, the national "
                    "centre's notice), not when the phase opens."),
    )

    class Meta:
        verbose_name = _("route step")
        verbose_name_plural = _("route steps")
        ordering = ["route_id", "phase", "id"]
        constraints = [
            models.UniqueConstraint(fields=["route", "kind"], name="route_step_kind_once"),
        ]

    def __str__(self) -> str:
        return f"{self.route.code} {self.phase}: {self.kind}"
