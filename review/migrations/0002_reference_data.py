"""Reference data: role groups, departments and routes, policy packs, the official calendar.

After `migrate` on an empty database the tracker has a working calendar and its policy packs
(public contract, DESIGN.md section 6). The loaders are idempotent; see review/seeding.py.
"""

from pathlib import Path

from django.db import migrations

from review import seeding

# Frozen: the routes and packs as they were when this migration was written. Later corrections
# are later migrations (0006), so a fresh database replays the same history as a running one.
DATA = Path(__file__).resolve().parent / "data"


def forwards(apps, schema_editor):
    seeding.load_groups(apps)
    seeding.load_routes(apps, DATA / "0002_routes.json")
    seeding.load_policy_packs(apps, DATA / "0002_policy_packs.json")
    seeding.load_official_calendar(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
