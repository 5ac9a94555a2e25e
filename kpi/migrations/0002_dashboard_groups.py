"""Supervisors and directors see the dashboard by default (docs/dashboard.md#the-performance-dashboard); an administrator
can give the permission to any other group. Idempotent."""

from django.db import migrations

GROUPS = ["科室负责人 Supervisor", "处局领导 Director"]


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("kpi")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perm = Permission.objects.filter(content_type__app_label="kpi", codename="view_dashboard")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*perm)


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0001_initial"),
        ("review", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
