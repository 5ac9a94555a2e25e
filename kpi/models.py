"""The dashboard's permission and its monthly summaries. Its figures are computed from the stages
and clock stops at request time, the finished stages of complete months read from their monthly
summaries (``StageMonth``, kept by ``kpi.summaries``; docs/dashboard.md#summaries). The unmanaged
``Dashboard`` only carries the permission to see it (given by default to supervisors and
directors; an administrator can give it to any staff group)."""

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


class SummaryMonth(models.Model):
    """The bookkeeping of the summaries (``StageMonth``, docs/dashboard.md#summaries): one row per
    calendar month built, and per day built of a month not yet summarised whole. The dashboard
    reads a span from its summary only when it was built after the span ended and nothing has
    marked it stale since; any other day is read from the stages themselves, so a figure never
    depends on when the summary was built."""

    month = models.DateField()  # the first day of the month; of a day summary, the day
    daily = models.BooleanField(default=False)  # a day of a month not yet summarised whole
    built_on = models.DateField()  # the day (local) the rows were computed
    stale = models.BooleanField(default=False)  # a finished stage of the span changed since

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "daily"], name="kpi_summarymonth_once")]
        verbose_name = _("dashboard summary month")
        verbose_name_plural = _("dashboard summary months")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class StageMonth(models.Model):
    """The stages finished in a month, counted per stage kind, the dashboard's filter dimensions
    (the case's class, category, pathway, type and policy pack, the stage's department, the
    enterprise's district and park) and the working days used: a histogram, so the 90th percentile
    is as exact as from the stages. The case's office first: staff read their office's rows, the
    national role every office's. Sums, minimums and maximums only: any set of rows adds up to
    the figures of the stages they count (``kpi.summaries``). Integers, not foreign keys: the rows
    are rebuilt from the stages, and nothing refers to them."""

    month = models.DateField()  # the span's first day: a month's, or the day's (``daily``)
    daily = models.BooleanField(default=False)
    office = models.IntegerField()
    kind = models.CharField(max_length=30)
    consumed_days = models.IntegerField()
    department = models.IntegerField(null=True)
    device_class = models.CharField(max_length=3)
    category = models.CharField(max_length=10)
    pathway = models.CharField(max_length=30)
    application_type = models.CharField(max_length=10)
    policy_pack = models.IntegerField(null=True)
    district = models.CharField(max_length=60)
    park = models.CharField(max_length=100)
    # the stage table and the trend
    n = models.IntegerField()
    n_target = models.IntegerField()
    n_on_target = models.IntegerField()
    n_statutory = models.IntegerField()
    n_on_statutory = models.IntegerField()
    target_min = models.IntegerField(null=True)
    target_max = models.IntegerField(null=True)
    statutory_min = models.IntegerField(null=True)
    statutory_max = models.IntegerField(null=True)
    # the case-level figures: decisions counted (one per case), their calendar days from the start
    # of the case's clock, the applicant's days within that span; Lishui's intent-to-licence days
    decided = models.IntegerField(default=0)
    decided_days = models.BigIntegerField(default=0)
    decided_max = models.IntegerField(null=True)
    applicant_days = models.BigIntegerField(default=0)
    lishui_n = models.IntegerField(default=0)
    lishui_days = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("dashboard summary row")
        verbose_name_plural = _("dashboard summary rows")
        indexes = [models.Index(fields=["month", "daily"], name="kpi_stagemonth_span")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind}"
