"""The national role (全国查阅 National reader, review 0029) sees the dashboard: every office's
figures and the comparison of offices (docs/dashboard.md#offices). Idempotent."""

from django.db import migrations

GROUP = "全国查阅 National reader"


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("kpi")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perm = Permission.objects.filter(content_type__app_label="kpi", codename="view_dashboard")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.add(*perm)


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0003_monthly_summaries"),
        ("review", "0030_offices_first_office"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
