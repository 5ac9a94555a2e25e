"""Reference data: role groups, departments and routes, policy packs, the official calendar.

After `migrate` on an empty database the tracker has a working calendar and its policy packs
(public contract, DESIGN.md section 6). The loaders are idempotent; see review/seeding.py.
"""

from django.db import migrations

from review import seeding


def forwards(apps, schema_editor):
    seeding.load_groups(apps)
    seeding.load_routes(apps)
    seeding.load_policy_packs(apps)
    seeding.load_official_calendar(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
