"""Offices: one deployment, many offices (docs/offices.md). The schema; 0030 fills it from the
settings the deployment ran on, 0031 makes a case's office required."""


import django.core.validators
import django.db.models.deletion
import review.validators
from django.db import migrations, models

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
    ]
