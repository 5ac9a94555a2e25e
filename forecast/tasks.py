"""Celery: the nightly refresh of the forecasts' distributions (beat schedule: migration
forecast.0002_schedule_forecast)."""

from celery import shared_task

from .services import refresh


@shared_task(name="forecast.refresh")
def forecast_refresh_task(trigger: str = "schedule"):
    run = refresh(trigger=trigger)
    return {"version": run.version, "as_of": run.as_of.isoformat(), "groups": run.groups, "seconds": run.seconds}
