"""Offices: one deployment, many offices (docs/offices.md).

The first office is this deployment's, built from the settings it ran on until now
(REVIEW_JURISDICTION, NOTICE_OFFICE_NAME, NOTICE_NUMBER_PATTERN, NOTICE_RECONSIDERATION_BODY,
OFFICE_CONTACT_*); every case, every document-number counter and every member of staff and
industry officer joins it, so a single-office deployment goes on exactly as before. From here on
the office row, edited in the admin, is what documents print; those settings only name the first
office of a new database.

The division prefixes are a frozen copy (GB/T 2260 province codes: 50 Chongqing, 31 Shanghai,
44 Guangdong, 33 Zhejiang); the national office serves no region of its own.
"""

from django.conf import settings
from django.db import migrations

DIVISIONS = {"CQ": "50", "SH": "31", "HZ": "44", "LS": "33", "CN": ""}
STAFF_VIEW = [
    "view_all_applications", "view_application", "view_stage", "view_clockstop", "view_extension",
    "view_transitionlog", "view_enterprise", "view_department", "view_calendarday",
    "view_calendaryear", "view_policypack", "view_policyrule", "view_route", "view_routestep",
    "view_certificate", "view_office",
]
STAFF_GROUPS = ["受理员 Acceptance officer", "审评员 Reviewer", "核查员 Inspector", "检验所 Testing centre",
                "审批人 Approver", "科室负责人 Supervisor", "处局领导 Director", "系统管理员 System administrator"]
NATIONAL_GROUP = "全国查阅 National reader"


def first_office(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    Office = apps.get_model("review", "Office")
    code = settings.REVIEW_JURISDICTION
    contact = getattr(settings, "OFFICE_CONTACT", {})
    office, _ = Office.objects.get_or_create(code=code, defaults={
        "name": settings.NOTICE_OFFICE_NAME, "jurisdiction": code, "division_codes": DIVISIONS.get(code, ""),
        "notice_number_pattern": settings.NOTICE_NUMBER_PATTERN,
        "reconsideration_body": settings.NOTICE_RECONSIDERATION_BODY,
        "contact_department": contact.get("department", ""), "contact_phone": contact.get("phone", ""),
        "address": contact.get("address", ""), "contact_hours": contact.get("hours", ""),
        "is_default": True})
    apps.get_model("review", "Application").objects.filter(office__isnull=True).update(office=office)
    apps.get_model("review", "User").objects.filter(office__isnull=True, enterprise__isnull=True).update(
        office=office)

    config = apps.get_app_config("review")  # post_migrate, which makes permissions, runs too late
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    review = Permission.objects.filter(content_type__app_label="review")
    national, _ = Group.objects.get_or_create(name=NATIONAL_GROUP)
    national.permissions.add(*review.filter(codename__in=[*STAFF_VIEW, "view_all_offices"]))
    for group in Group.objects.filter(name__in=STAFF_GROUPS):
        group.permissions.add(*review.filter(codename="view_office"))
    admin = Group.objects.filter(name="系统管理员 System administrator").first()
    if admin is not None:
        admin.permissions.add(*review.filter(codename__in=["add_office", "change_office"]))


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0029_offices"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(first_office, migrations.RunPython.noop),
    ]
