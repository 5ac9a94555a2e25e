"""The dashboard's summaries refreshed every hour at :05 Asia/Shanghai, on their own schedule
(docs/dashboard.md#summaries). The deadline sweep used to do it every 15 minutes; a summary is
needed once a day has ended or a month was marked stale, and until it is rebuilt the page reads
the stages (the same figures, more slowly), so an hour costs no correctness."""

from django.db import migrations

NAME = "Dashboard summaries (hourly, at :05)"


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = CrontabSchedule.objects.get_or_create(
        minute="5", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(
        name=NAME, defaults={"task": "kpi.summaries_refresh", "crontab": hourly, "interval": None, "enabled": True})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task="kpi.summaries_refresh").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0004_national_reader_dashboard"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
