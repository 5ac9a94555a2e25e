"""Whether the applicant's answer closed a pause (issue B5: a lapsed supplement was shown as answered).

Existing rows: an applicant-side pause that ended is marked answered when it has documents. Every
answer (portal, API, or recorded at the counter) needs at least one document
(``services.workflow.stages._end_pause``), while the lapse paths (refusal under Order 47 Art. 54,
the failed verification after rectification) and the closing of a case end it without any.
"""

from django.db import migrations, models

APPLICANT_SIDE = ("supplement", "missing_items", "rectification")


def mark_answered(apps, schema_editor):
    ClockStop = apps.get_model("review", "ClockStop")
    SupplementDocument = apps.get_model("review", "SupplementDocument")
    ClockStop.objects.filter(
        reason__in=APPLICANT_SIDE, ended_on__isnull=False,
        pk__in=SupplementDocument.objects.values("clock_stop_id"),
    ).update(answered=True)


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0017_priority_rank_open_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="clockstop",
            name="answered",
            field=models.BooleanField(
                default=False,
                help_text="The applicant's answer closed this request; unanswered when it lapsed or the case closed.",
                verbose_name="answered",
            ),
        ),
        migrations.RunPython(mark_answered, migrations.RunPython.noop),
    ]
