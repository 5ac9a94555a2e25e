"""Staff may read the daily digests' record (which address got its digest on which day, or why not)
as they read alerts and deliveries (0002). Idempotent."""

from django.db import migrations

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
    view = Permission.objects.filter(content_type__app_label="notifications", codename="view_digestday")
    for group in Group.objects.filter(name__in=STAFF_GROUPS):
        group.permissions.add(*view)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_delivery_indexes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
