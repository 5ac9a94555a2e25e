"""The refreshed distributions: one ``Refresh`` per run, with its day and version, and
one ``StageDistribution`` per group of past stages (kind, then narrowed by pack, class, category,
type and pathway). Case pages read the latest refresh's rows; nothing else is stored per case."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Refresh(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    as_of = models.DateField(_("history up to"))
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    seconds = models.FloatField(_("seconds taken"), default=0)
    stages_read = models.PositiveIntegerField(_("stages read"), default=0)
    groups = models.PositiveIntegerField(_("groups"), default=0)
    trigger = models.CharField(_("started by"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("forecast refresh")
        verbose_name_plural = _("forecast refreshes")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.as_of})"


class StageDistribution(models.Model):
    """The office working days of one group of stages (Kaplan–Meier curve, running stages
    censored), the share with a request to the applicant, and the applicant's answer time in
    calendar days. A blank key matches every value (a wider group)."""

    refresh = models.ForeignKey(Refresh, on_delete=models.CASCADE, related_name="distributions")
    kind = models.CharField(_("stage kind"), max_length=30)
    level = models.PositiveSmallIntegerField(_("narrowed by how many keys"))
    pack = models.CharField(_("policy pack"), max_length=60, blank=True)
    device_class = models.CharField(_("device class"), max_length=3, blank=True)
    category = models.CharField(_("category"), max_length=10, blank=True)
    application_type = models.CharField(_("application type"), max_length=10, blank=True)
    pathway = models.CharField(_("pathway"), max_length=30, blank=True)
    finished = models.PositiveIntegerField(_("finished stages"))
    running = models.PositiveIntegerField(_("running stages (censored)"))
    median_days = models.PositiveIntegerField(_("median working days"), null=True, blank=True)
    p90_days = models.PositiveIntegerField(_("90th percentile working days"), null=True, blank=True)
    supplement_share = models.FloatField(_("share with a request to the applicant"), default=0)
    office_curve = models.JSONField(_("office working days (survival curve)"))
    answer_curve = models.JSONField(_("applicant's answer, calendar days (survival curve)"))
    asked_curve = models.JSONField(_("office working days before the request to the applicant (survival curve)"),
                                   default=dict)
    plain_curve = models.JSONField(_("office working days of stages without a request to the applicant"),
                                   default=dict)
    request_curve = models.JSONField(_("office working days of stages with a request to the applicant"),
                                     default=dict)
    request_bins = models.JSONField(_("the same, by the office working days before the request"), default=dict)
    season = models.JSONField(_("by month a stage starts in: slower (>1) or faster (<1)"), default=list)

    class Meta:
        verbose_name = _("stage duration distribution")
        verbose_name_plural = _("stage duration distributions")
        indexes = [models.Index(fields=["refresh", "kind"], name="forecast_dist_refresh_kind")]

    def __str__(self) -> str:
        keys = " ".join(v for v in (self.pack, self.device_class, self.category, self.application_type,
                                    self.pathway) if v)
        return f"{self.kind} {keys}".strip()
