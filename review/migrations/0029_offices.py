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

import django.core.validators
import django.db.models.deletion
import review.validators
from django.conf import settings
from django.db import migrations, models

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
        ('review', '0028_state_change_logged_harden'),
    ]

    operations = [
        migrations.CreateModel(
            name='Office',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='Two to six capital letters; every case reference of this office begins with it.', max_length=6, unique=True, validators=[django.core.validators.RegexValidator('^[A-Z]{2,6}$', 'Two to six capital letters, e.g. CQ.')], verbose_name='code')),
                ('name', models.CharField(help_text='The issuing office, as printed on its documents.', max_length=100, validators=[review.validators.validate_single_line], verbose_name='name')),
                ('jurisdiction', models.CharField(help_text="Whose policy packs bind this office's cases (CQ, SH, HZ, LS; CN: the national statutory pack only).", max_length=10, verbose_name='jurisdiction')),
                ('division_codes', models.CharField(blank=True, help_text="Comma-separated prefixes of the division code in characters 3 to 8 of an enterprise's credit code: its cases come here.", max_length=200, validators=[django.core.validators.RegexValidator('^[0-9]{2,6}(,[0-9]{2,6})*$', 'Digits, two to six each, separated by commas, e.g. 50 or 31,3201.')], verbose_name='administrative division codes')),
                ('notice_number_pattern', models.CharField(help_text="{code}: the document's code, {year}, {seq}: one sequence per code and year, e.g. 渝药监械{code}〔{year}〕{seq:04d}号.", max_length=60, verbose_name='document number pattern')),
                ('reconsideration_body', models.CharField(help_text="Who hears an administrative reconsideration of this office's decisions.", max_length=100, validators=[review.validators.validate_single_line], verbose_name='reconsideration body')),
                ('contact_department', models.CharField(blank=True, max_length=100, validators=[review.validators.validate_single_line], verbose_name='public contact: department')),
                ('contact_phone', models.CharField(blank=True, max_length=60, validators=[review.validators.validate_single_line], verbose_name='public contact: telephone')),
                ('address', models.CharField(blank=True, max_length=200, validators=[review.validators.validate_single_line], verbose_name='address')),
                ('contact_hours', models.CharField(blank=True, max_length=100, validators=[review.validators.validate_single_line], verbose_name='public contact: opening hours')),
                ('is_default', models.BooleanField(default=False, help_text='Takes the cases whose region no office serves, and staff created without an office.', verbose_name='default office')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
            ],
            options={
                'verbose_name': 'office',
                'verbose_name_plural': 'offices',
                'ordering': ['code'],
                'permissions': [('view_all_offices', "Can see every office's applications")],
                'constraints': [models.UniqueConstraint(condition=models.Q(('is_default', True)), fields=('is_default',), name='office_one_default')],
            },
        ),
        migrations.AddField(
            model_name='application',
            name='office',
            field=models.ForeignKey(help_text="The office that decides the case: by default the one of the enterprise's registration region (its credit code); staff may reassign it, with a reason.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='review.office', verbose_name='office'),
        ),
        migrations.AddField(
            model_name='user',
            name='office',
            field=models.ForeignKey(blank=True, help_text='Staff and industry officers: the office whose cases they see and act on (the default office when left empty). Not for enterprise users.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='staff', to='review.office', verbose_name='office'),
        ),
        migrations.RunPython(first_office, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='application',
            name='office',
            field=models.ForeignKey(help_text="The office that decides the case: by default the one of the enterprise's registration region (its credit code); staff may reassign it, with a reason.", on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='review.office', verbose_name='office'),
        ),
        migrations.AddIndex(
            model_name='application',
            index=models.Index(fields=['office', 'state'], name='application_office_state'),
        ),
    ]
