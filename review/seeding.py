"""Reference data every installation starts with, loaded by data migrations.

Each loader takes the migration's ``apps`` so it works on historical models, and is idempotent
(update_or_create on natural keys), so re-running a migration or a test setup changes nothing.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

# Role groups (an administrator can change their permissions in the admin afterwards).
# Codenames without an app label are review's own.
ROLE_GROUPS: dict[str, list[str]] = {
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
# What every member of staff may read in the admin.
STAFF_VIEW = [
    "view_all_applications", "view_application", "view_stage", "view_clockstop", "view_extension",
    "view_transitionlog", "view_enterprise", "view_department", "view_calendarday",
    "view_calendaryear", "view_policypack", "view_policyrule", "view_route", "view_routestep",
    "view_certificate",
]


def ensure_permissions(apps) -> None:
    """Create review's permissions now: post_migrate, which normally does it, runs too late."""
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("review")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None


def load_groups(apps) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ensure_permissions(apps)
    for name, codenames in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = set(codenames) | (set(STAFF_VIEW) if name in STAFF_GROUPS else set())
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="review", codename__in=wanted)
        )


def load_routes(apps, path: Path) -> None:
    Department = apps.get_model("review", "Department")
    Route = apps.get_model("review", "Route")
    RouteStep = apps.get_model("review", "RouteStep")
    data = json.loads(path.read_text(encoding="utf-8"))
    departments = {}
    for d in data["departments"]:
        departments[d["code"]], _ = Department.objects.update_or_create(
            code=d["code"], defaults={"name": d["name"]}
        )
    for r in data["routes"]:
        route, _ = Route.objects.update_or_create(
            code=r["code"],
            defaults={"name": r["name"], "device_class": r["device_class"],
                      "application_type": r["application_type"]},
        )
        for s in r["steps"]:
            RouteStep.objects.update_or_create(
                route=route, kind=s["kind"],
                defaults={"phase": s["phase"], "condition": s.get("condition", ""),
                          "department": departments.get(s.get("department"))},
            )


def load_policy_packs(apps, path: Path) -> None:
    PolicyPack = apps.get_model("review", "PolicyPack")
    PolicyRule = apps.get_model("review", "PolicyRule")
    data = json.loads(path.read_text(encoding="utf-8"))
    packs = {}
    for p in data["packs"]:
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
        if created:  # rules of an existing pack are the administrators' now: leave them alone
            for r in p["rules"]:
                PolicyRule.objects.create(pack=pack, **{
                    "device_class": "", "category": "", "pathway": "", "application_type": "",
                    "anchor": "", **r,
                })


def load_official_calendar(apps) -> None:
    """Seed every year the maintained package covers (chinesecalendar, checked against the
    State Council notices in tests/services/test_calendar.py)."""
    from services.calendar_sources import official_schedule

    CalendarDay = apps.get_model("review", "CalendarDay")
    CalendarYear = apps.get_model("review", "CalendarYear")
    for year, schedule in official_schedule().items():
        for kind, rows in (("holiday", schedule["holidays"]), ("workday", schedule["workdays"])):
            for day, name in rows:
                CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})
        CalendarYear.objects.update_or_create(
            year=year, defaults={"source": f"chinesecalendar package, {year} State Council notice"}
        )
