"""Celery: the dashboard's summaries kept current (docs/dashboard.md#summaries). Beat runs it every
hour (migration kpi.0005_schedule_summaries), apart from the deadline sweep, whose fifteen-minute
runs stay a fixed handful of statements."""

from celery import shared_task

from . import summaries


@shared_task(name="kpi.summaries_refresh")
def summaries_refresh_task():
    return [month.isoformat() for month in summaries.refresh()]
