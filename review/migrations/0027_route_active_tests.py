"""Routes are retired by an ``active`` flag, never by rewriting them (docs/policy-packs.md#retiring-a-route).

Migration 0006, on a database where a case used ``III-provincial``, kept that route but made it
unchoosable by rewriting its class and type to a pair no application has (III, licence) and adding
"（已停用）" to its name. That rewrite is undone here: the route gets back its class, type and name
as migration 0002 shipped them (frozen: data/0002_routes.json) and is marked inactive, so the cases
on it show the route they were filed under. A route 0006 retires that is still there untouched is
marked inactive too. Nothing else about routes changes; new databases have no retired route.
"""

import json
from pathlib import Path

from django.db import migrations, models

DATA = Path(__file__).resolve().parent / "data"
RETIRED_MARK = "（已停用）"  # what 0006 appended to a retired route's name


def _json(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def retire_by_flag(apps, schema_editor):
    Route = apps.get_model("review", "Route")
    shipped = {r["code"]: r for r in _json("0002_routes.json")["routes"]}
    for code in _json("0006_routes.json")["remove"]:
        route = Route.objects.filter(code=code).first()
        if route is None:
            continue
        original = shipped.get(code)
        rewritten = (route.name.endswith(RETIRED_MARK) and route.device_class == "III"
                     and route.application_type == "licence")
        if rewritten and original is not None:
            route.name = route.name[: -len(RETIRED_MARK)]
            route.device_class = original["device_class"]
            route.application_type = original["application_type"]
        route.active = False
        route.save(update_fields=["name", "device_class", "application_type", "active"])


def rewrite_as_before(apps, schema_editor):
    """Back to 0020: the flag goes, so a retired route is made unchoosable the way 0006 did it."""
    Route = apps.get_model("review", "Route")
    for route in Route.objects.filter(active=False, code__in=_json("0006_routes.json")["remove"]):
        if not route.name.endswith(RETIRED_MARK):
            route.name += RETIRED_MARK
        route.device_class, route.application_type = "III", "licence"
        route.save(update_fields=["name", "device_class", "application_type"])


class Migration(migrations.Migration):

    dependencies = [
        ('review', '0026_drop_stage_overdue_flag'),
    ]

    operations = [
        migrations.AddField(
            model_name='route',
            name='active',
            field=models.BooleanField(default=True, help_text='Off: the route is retired. No new application is put on it; cases already on it keep it.', verbose_name='active'),
        ),
        migrations.RunPython(retire_by_flag, rewrite_as_before),
    ]
