"""``{% load forecast_tags %}{% case_forecast app %}``: the forecast block of a case page (portal,
public look-up, admin), one selector call (``forecast.selectors.case_forecast``)."""

from django import template

from forecast.selectors import OPEN_CASE_STATES, forecast_caveat, forecast_words
from forecast.selectors import case_forecast as forecast_of

register = template.Library()


@register.inclusion_tag("forecast/_case_forecast.html")
def case_forecast(app, stages=None, forecast=None, style="portal", state=None):
    """``forecast``: one already computed (the look-up's, with the case's ``state``); else
    computed from ``app``. An open case without a forecast says there is too little history."""
    if forecast is None and app is not None:
        # The page's stages (or its rows holding them, the admin's ``stage_rows``), with their pauses.
        stages = [getattr(s, "stage", s) for s in stages] if stages is not None else None
        forecast = forecast_of(app, stages)
    state = app.state if app is not None else state
    shown = forecast is not None or state in OPEN_CASE_STATES
    return {"shown": shown, "forecast": forecast, "words": forecast_words(forecast), "caveat": forecast_caveat(),
            "style": style}


@register.inclusion_tag("forecast/_workload.html")
def workload_forecast(filters, today, scope=None):
    """The supervisors' workload forecast for the dashboard's filtered stages (staff dashboard)."""
    from django.utils.translation import gettext as _

    from forecast.charts import fan_chart
    from forecast.workload import WATCH_DAYS
    from forecast.workload import workload_forecast as compute
    from kpi.selectors import Scope
    from review.selectors import calendar_current

    result = compute((scope or Scope()).stages().filter(filters.stage_q()), today=today, cal=calendar_current())
    chart = fan_chart(title=_("Open stages in the coming weeks (forecast)"), points=result.fan,
                      band_label=_("80% band"), mid_label=_("expected")) if result.fan else ""
    return {"forecast": result, "fan_chart": chart, "watch_days": WATCH_DAYS}
