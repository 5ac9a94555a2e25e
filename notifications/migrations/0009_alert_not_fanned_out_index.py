"""The sweep asks first whether any alert is not yet fanned out: a partial index of those few
replaces the plain index on the flag (docs/benchmarks.md#the-sweep)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0008_partition_deliveries_by_year'),
        ('review', '0037_office_leading_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='alert',
            name='fanned_out',
            field=models.BooleanField(default=False, help_text='Its deliveries exist (set in the same transaction).'),
        ),
        migrations.AddIndex(
            model_name='alert',
            index=models.Index(condition=models.Q(('fanned_out', False)), fields=['id'], name='alert_not_fanned_out'),
        ),
    ]
