"""Document numbers are counted per office: the counters so far are the first office's."""

import django.db.models.deletion
from django.db import migrations, models


def first_office(apps, schema_editor):
    Office = apps.get_model("review", "Office")
    office = Office.objects.filter(is_default=True).first()
    if office is not None:
        apps.get_model("notices", "NoticeCounter").objects.filter(office__isnull=True).update(office=office)


class Migration(migrations.Migration):

    dependencies = [
        ('notices', '0003_certificates_signing_docs'),
        ('review', '0029_offices'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='noticecounter',
            name='notice_counter_once',
        ),
        migrations.AddField(
            model_name='noticecounter',
            name='office',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='review.office'),
        ),
        migrations.RunPython(first_office, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='noticecounter',
            name='office',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='review.office'),
        ),
        migrations.AddConstraint(
            model_name='noticecounter',
            constraint=models.UniqueConstraint(fields=('office', 'code', 'year'), name='notice_counter_per_office'),
        ),
    ]
