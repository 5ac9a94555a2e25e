"""Routes and policy packs corrected to the law and the local plans (docs/regulatory-basis.md).

Frozen: reads only its own data files (data/0006_*.json and, to recognise the packs as shipped,
data/0002_policy_packs.json) and historical models. A shipped pack still as migration 0002 made it
is corrected in place (its version goes up); a pack an administrator has edited is never touched:
the correction becomes a new pack version beside it (code ``<code>-v<version>``) and the edited
pack is kept whole, no longer chosen for new cases (docs/policy-packs.md#migrations-and-administrators-edits).
New packs (Huizhou) are created. Routes are updated in place; ``III-provincial`` is deleted only
when no case uses it; otherwise it is left as it is and migration 0021 retires it with its
``active`` flag (docs/policy-packs.md#retiring-a-route).

Running cases keep the deadlines they had until they are re-projected:
``python manage.py reproject_cases`` does it, logging old and new dates (docs/operations.md).
"""

import json
from collections import Counter
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
        if not Application.objects.filter(route=old).exists():
            old.delete()
        # Kept, unchanged, for the cases already on it: migration 0021 turns its ``active`` flag off.


def _rules(PolicyRule, rows):
    """A pack's rules as a multiset of their values, from the database or from frozen data."""
    fields = [f for f in PolicyRule._meta.concrete_fields if f.name not in ("id", "pack")]
    if isinstance(rows, list):
        return Counter(tuple({**RULE_KEYS, **r}.get(f.name, f.get_default()) for f in fields) for r in rows)
    return Counter(tuple(getattr(rule, f.attname) for f in fields) for rule in rows)


def load_packs(apps, schema_editor):
    PolicyPack = apps.get_model("review", "PolicyPack")
    PolicyRule = apps.get_model("review", "PolicyRule")
    data = json.loads((DATA / "0006_policy_packs.json").read_text(encoding="utf-8"))
    shipped = {p["code"]: p["rules"] for p in
               json.loads((DATA / "0002_policy_packs.json").read_text(encoding="utf-8"))["packs"]}
    packs = {}
    for p in data["packs"]:
        code = p["code"]
        existing = PolicyPack.objects.filter(code=code).first()
        if existing is not None:
            now = _rules(PolicyRule, PolicyRule.objects.filter(pack=existing))
            if now == _rules(PolicyRule, p["rules"]):
                packs[code] = existing  # already corrected: nothing to do
                continue
            if now != _rules(PolicyRule, shipped.get(code, [])):
                # An administrator edited this pack: keep it whole, out of the choice for new cases;
                # the correction is a new pack version beside it.
                existing.active = False
                existing.save(update_fields=["active"])
                code = f"{code}-v{p['version']}"
        pack, _ = PolicyPack.objects.update_or_create(
            code=code,
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
        PolicyRule.objects.filter(pack=pack).delete()  # the shipped pack's own rules, or none
        PolicyRule.objects.bulk_create([PolicyRule(pack=pack, **{**RULE_KEYS, **r}) for r in p["rules"]])


class Migration(migrations.Migration):
    dependencies = [("review", "0005_clocks_by_law")]

    operations = [
        migrations.RunPython(load_routes, migrations.RunPython.noop),
        migrations.RunPython(load_packs, migrations.RunPython.noop),
    ]
