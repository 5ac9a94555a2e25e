"""The nightly refresh of the forecasts' distributions: 02:30 Asia/Shanghai, every day (a refresh
reads whatever finished; it needs no working day)."""

from django.db import migrations


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(
        name="Completion forecasts refresh (02:30 nightly)",
        defaults={"task": "forecast.refresh", "crontab": nightly, "interval": None, "enabled": True})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task="forecast.refresh").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("forecast", "0001_forecast"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
