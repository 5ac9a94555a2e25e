"""Reference data: role groups, departments and routes, policy packs, the official calendar.

After `migrate` on an empty database the tracker has a working calendar and its policy packs
(docs/architecture.md#migrations).

Frozen: this migration reads only its own copies, as they were when it was written —
the data in ``review/migrations/data/0002_*.json`` (routes and departments, policy packs, and the
official calendar of 2004–2026 as the chinesecalendar package gave it) and the code below. It no
longer imports review.seeding, fixtures/ or services/, whose later versions would change what an
old migration does. Later reference data comes in later data migrations.
"""

import json
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent / "data"

ROLE_GROUPS = {
    "受理员 Acceptance officer": ["accept_application"],
    "审评员 Reviewer": ["review_application"],
    "核查员 Inspector": ["inspect_application"],
    "检验所 Testing centre": ["test_application"],
    "审批人 Approver": ["decide_application"],
    "科室负责人 Supervisor": ["supervise_application"],
    "处局领导 Director": [],
    "企业注册专员 Enterprise user": ["file_application"],
    "产业部门 Industry officer": [],
    "系统管理员 System administrator": [
        "add_calendarday", "change_calendarday", "delete_calendarday", "view_calendarday",
        "add_calendaryear", "change_calendaryear", "view_calendaryear",
        "add_policypack", "change_policypack", "view_policypack",
        "add_policyrule", "change_policyrule", "delete_policyrule", "view_policyrule",
        "add_route", "change_route", "view_route",
        "add_routestep", "change_routestep", "delete_routestep", "view_routestep",
        "add_department", "change_department", "view_department",
        "add_enterprise", "change_enterprise", "view_enterprise",
        "add_user", "change_user", "view_user",
    ],
}
STAFF_GROUPS = {
    "受理员 Acceptance officer", "审评员 Reviewer", "核查员 Inspector", "检验所 Testing centre",
    "审批人 Approver", "科室负责人 Supervisor", "处局领导 Director", "系统管理员 System administrator",
}
STAFF_VIEW = [
    "view_all_applications", "view_application", "view_stage", "view_clockstop", "view_extension",
    "view_transitionlog", "view_enterprise", "view_department", "view_calendarday",
    "view_calendaryear", "view_policypack", "view_policyrule", "view_route", "view_routestep",
    "view_certificate",
]


def _json(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_groups(apps):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("review")  # post_migrate, which makes permissions, runs too late
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = set(codenames) | (set(STAFF_VIEW) if name in STAFF_GROUPS else set())
        group.permissions.add(*Permission.objects.filter(content_type__app_label="review", codename__in=wanted))


def load_routes(apps):
    Department = apps.get_model("review", "Department")
    Route = apps.get_model("review", "Route")
    RouteStep = apps.get_model("review", "RouteStep")
    data = _json("0002_routes.json")
    departments = {}
    for d in data["departments"]:
        departments[d["code"]], _ = Department.objects.update_or_create(code=d["code"],
                                                                        defaults={"name": d["name"]})
    for r in data["routes"]:
        route, _ = Route.objects.update_or_create(
            code=r["code"], defaults={"name": r["name"], "device_class": r["device_class"],
                                      "application_type": r["application_type"]})
        for s in r["steps"]:
            RouteStep.objects.update_or_create(
                route=route, kind=s["kind"],
                defaults={"phase": s["phase"], "condition": s.get("condition", ""),
                          "department": departments.get(s.get("department"))})


def load_policy_packs(apps):
    PolicyPack = apps.get_model("review", "PolicyPack")
    PolicyRule = apps.get_model("review", "PolicyRule")
    packs = {}
    for p in _json("0002_policy_packs.json")["packs"]:
        pack, created = PolicyPack.objects.update_or_create(
            code=p["code"],
            defaults={
                "name": p["name"], "jurisdiction": p["jurisdiction"], "version": p["version"],
                "effective_from": date.fromisoformat(p["effective_from"]),
                "effective_until": date.fromisoformat(p["effective_until"]) if p.get("effective_until") else None,
                "source": p["source"], "parent": packs.get(p.get("parent")),
            },
        )
        packs[p["code"]] = pack
        if created:
            for r in p["rules"]:
                PolicyRule.objects.create(pack=pack, **{
                    "device_class": "", "category": "", "pathway": "", "application_type": "",
                    "anchor": "", **r})


def load_official_calendar(apps):
    CalendarDay = apps.get_model("review", "CalendarDay")
    CalendarYear = apps.get_model("review", "CalendarYear")
    for year, schedule in sorted(_json("0002_calendar.json").items()):
        for kind, rows in (("holiday", schedule["holidays"]), ("workday", schedule["workdays"])):
            for day, name in rows:
                CalendarDay.objects.update_or_create(date=date.fromisoformat(day),
                                                     defaults={"kind": kind, "name": name})
        CalendarYear.objects.update_or_create(
            year=int(year), defaults={"source": f"chinesecalendar package, {year} State Council notice"})

# Frozen: the routes and packs as they were when this migration was written. Later corrections
# are later migrations (0006), so a fresh database replays the same history as a running one.
DATA = Path(__file__).resolve().parent / "data"


def forwards(apps, schema_editor):
    load_groups(apps)
    load_routes(apps)
    load_policy_packs(apps)
    load_official_calendar(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
