"""Each delivery carries its alert's ``raised_on``: the key of the yearly partitions that follow
(review/partitions.py, docs/deployment.md#yearly-partitions). Filled from the alerts; the unique
constraint takes it in, which keeps its meaning since it is a function of the alert."""

from django.db import migrations, models

FILL = """
UPDATE notifications_delivery SET raised_on = coalesce(
    (SELECT a.raised_on FROM notifications_alert a WHERE a.id = notifications_delivery.alert_id),
    CURRENT_DATE)
"""


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_alert_levels_in_the_one_label_map")]

    operations = [
        migrations.AddField(
            model_name="delivery", name="raised_on",
            field=models.DateField(editable=False, null=True, verbose_name="alert raised on"),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="delivery", name="raised_on",
            field=models.DateField(editable=False, verbose_name="alert raised on"),
        ),
        migrations.RemoveConstraint(model_name="delivery", name="delivery_once_per_address"),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(fields=("alert", "email", "raised_on"),
                                               name="delivery_once_per_address"),
        ),
    ]
