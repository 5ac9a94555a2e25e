"""An industry officer's dashboard: their district's case ids from one index, each case's stages
finished in a period from another, and the stages of their cases with their ids from the one-kind-
per-case constraint's index (docs/benchmarks.md#officers-dashboard)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('review', '0037_office_leading_indexes'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='stage',
            name='stage_kind_once_per_case',
        ),
        migrations.AddIndex(
            model_name='application',
            index=models.Index(fields=['office', 'enterprise'], include=('id',), name='application_office_enterprise'),
        ),
        migrations.AddIndex(
            model_name='stage',
            index=models.Index(condition=models.Q(('state', 'done')), fields=['application', 'finished_on'], name='stage_done_by_case'),
        ),
        migrations.AddConstraint(
            model_name='stage',
            constraint=models.UniqueConstraint(fields=('application', 'kind'), include=('id',), name='stage_kind_once_per_case'),
        ),
    ]
