"""Priority and innovation cases sort first only while open (a decided priority case sat above the
open work in the staff lists). Django cannot alter a generated column's expression in place: the
column and the index that orders by it are dropped and added again, computed afresh by the
database for every row."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0016_dashboard_finished_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="application", name="application_staff_order"),
        migrations.RemoveField(model_name="application", name="priority_rank"),
        migrations.AddField(
            model_name="application",
            name="priority_rank",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(
                        models.Q(("pathway__in", ["priority", "innovation"]),
                                 models.Q(("state__in", ("approved", "refused", "withdrawn", "terminated")),
                                          _negated=True)),
                        then=models.Value(0),
                    ),
                    default=models.Value(1),
                ),
                output_field=models.SmallIntegerField(),
                verbose_name="priority first",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["priority_rank", "-created_at", "-id"], name="application_staff_order"),
        ),
    ]
