"""The Shanghai plan's goals are stated "到2023年" (一、实施目标, docs/regulatory-basis.md
#sh-goal): its pack gets that end date (2023-12-31, the last day of 2023). A case filed later binds
the national statutory pack (``review.selectors.policy_pack_in_force`` already falls back to it),
and the public guide says so. Cases already bound keep their pack until an administrator re-projects
them (``manage.py reproject_cases --pack sh-2021`` re-projects onto the same pack; rebinding to the
pack in force is ``services.policy.application_rebind_policy`` without ``pack``)."""

import datetime as dt

from django.db import migrations


def forwards(apps, schema_editor):
    PolicyPack = apps.get_model("review", "PolicyPack")
    PolicyPack.objects.filter(code="sh-2021", effective_until__isnull=True).update(effective_until=dt.date(2023, 12, 31))


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0024_licence_sources_law"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
