"""Routes and policy packs corrected to the law and the seeds (issue 7; docs/regulatory-basis.md).

Frozen: reads only its own data files (data/0006_*.json) and historical models. The shipped
packs' rules are replaced (an administrator's edits to those packs are superseded by the
correction; the pack's version goes up); new packs (Huizhou) are created. Routes are updated in
place; ``III-provincial`` is retired only when no case uses it (cases on it keep it, unchanged).

Running cases keep the deadlines they had until they are re-projected:
``python manage.py reproject_cases`` does it, logging old and new dates (docs/operations.md).
"""

import json
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent / "data"
RULE_KEYS = {"device_class": "", "category": "", "pathway": "", "application_type": "", "anchor": ""}


def load_routes(apps, schema_editor):
    Department = apps.get_model("review", "Department")
    Route = apps.get_model("review", "Route")
    RouteStep = apps.get_model("review", "RouteStep")
    Application = apps.get_model("review", "Application")
    data = json.loads((DATA / "0006_routes.json").read_text(encoding="utf-8"))
    departments = {d.code: d for d in Department.objects.all()}
    for r in data["routes"]:
        route, _ = Route.objects.update_or_create(
            code=r["code"], defaults={"name": r["name"], "device_class": r["device_class"],
                                      "application_type": r["application_type"]})
        kinds = []
        for s in r["steps"]:
            kinds.append(s["kind"])
            RouteStep.objects.update_or_create(
                route=route, kind=s["kind"],
                defaults={"phase": s["phase"], "condition": s.get("condition", ""),
                          "manual_start": s.get("manual_start", False),
                          "department": departments.get(s.get("department"))})
        RouteStep.objects.filter(route=route).exclude(kind__in=kinds).delete()
    for code in data["remove"]:
        old = Route.objects.filter(code=code).first()
        if old is None:
            continue
        if Application.objects.filter(route=old).exists():
            # Kept for the cases already on it, but it must never be chosen again: a class and
            # type no application has ("licence" route aside, routes are per class and type).
            old.name = old.name + "（已停用）"
            old.application_type = "licence"
            old.device_class = "III"
            old.save(update_fields=["name", "application_type", "device_class"])
        else:
            old.delete()


def load_packs(apps, schema_editor):
    PolicyPack = apps.get_model("review", "PolicyPack")
    PolicyRule = apps.get_model("review", "PolicyRule")
    data = json.loads((DATA / "0006_policy_packs.json").read_text(encoding="utf-8"))
    packs = {}
    for p in data["packs"]:
        pack, _ = PolicyPack.objects.update_or_create(
            code=p["code"],
            defaults={
                "name": p["name"], "jurisdiction": p["jurisdiction"], "version": p["version"],
                "effective_from": date.fromisoformat(p["effective_from"]),
                "effective_until": date.fromisoformat(p["effective_until"]) if p.get("effective_until") else None,
                "source": p["source"], "parent": packs.get(p.get("parent")),
                "reference_total_days": p.get("reference_total_days"),
                "reference_total_label": p.get("reference_total_label", ""),
                "extendable_kinds": p.get("extendable_kinds", []),
            },
        )
        packs[p["code"]] = pack
        PolicyRule.objects.filter(pack=pack).delete()
        PolicyRule.objects.bulk_create([PolicyRule(pack=pack, **{**RULE_KEYS, **r}) for r in p["rules"]])


class Migration(migrations.Migration):
    dependencies = [("review", "0005_clocks_by_law")]

    operations = [
        migrations.RunPython(load_routes, migrations.RunPython.noop),
        migrations.RunPython(load_packs, migrations.RunPython.noop),
    ]
