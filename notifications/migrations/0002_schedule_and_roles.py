"""The periodic schedule (django-celery-beat's database scheduler) and who reads alerts.

- the deadline sweep every 15 minutes;
- the morning digests at 08:30 Asia/Shanghai, every day: the task itself holds them on days that
  are not working days of the calendar, which a crontab cannot know (调休 Saturdays, holidays);
- directors receive statutory-breach escalations; staff may read alerts and failed sends.
Idempotent: re-running changes nothing.
"""

from django.db import migrations

VIEW = ["view_alert", "view_delivery", "view_outboundemail"]
STAFF_GROUPS = ["受理员 Acceptance officer", "审评员 Reviewer", "核查员 Inspector", "检验所 Testing centre",
                "审批人 Approver", "科室负责人 Supervisor", "处局领导 Director", "系统管理员 System administrator"]


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("notifications")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="notifications")
    for group in Group.objects.filter(name__in=STAFF_GROUPS):
        group.permissions.add(*perms.filter(codename__in=VIEW))
    for group in Group.objects.filter(name="处局领导 Director"):
        group.permissions.add(*perms.filter(codename="receive_breach_alerts"))

    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_15, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="8", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(
        name="Deadline sweep (every 15 minutes)",
        defaults={"task": "notifications.deadlines_sweep", "interval": every_15, "crontab": None,
                  "enabled": True})
    PeriodicTask.objects.update_or_create(
        name="Supervisor digests (08:30 on working days)",
        defaults={"task": "notifications.digests_send", "crontab": morning, "interval": None,
                  "enabled": True})


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("review", "0002_reference_data"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
