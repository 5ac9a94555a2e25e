"""A case's office is required (0030 gave every case one); the log names a move between offices."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('review', '0030_offices_first_office'),
    ]

    operations = [
        migrations.AlterField(
            model_name='application',
            name='office',
            field=models.ForeignKey(help_text="The office that decides the case: by default the one of the enterprise's registration region (its credit code); staff may reassign it, with a reason.", on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='review.office', verbose_name='office'),
        ),
        migrations.AddIndex(
            model_name='application',
            index=models.Index(fields=['office', 'state'], name='application_office_state'),
        ),
        migrations.AlterField(
            model_name='transitionlog',
            name='action',
            field=models.CharField(choices=[('create', 'Intent registered'), ('edit', 'Draft edited'), ('submit', 'Submitted'), ('advance', 'Moved to the next phase'), ('withdraw', 'Withdrawn'), ('refuse', 'Refused'), ('refuse_lapsed', 'Refused: supplement not received within one year'), ('deemed_accepted', 'Deemed accepted as of receipt'), ('handover', 'Dossier handed over to technical review'), ('terminate', 'Terminated'), ('suspend', 'Suspended'), ('resume', 'Resumed'), ('stage_start', 'Stage started'), ('stage_skip', 'Stage skipped'), ('stage_complete', 'Stage completed'), ('stage_cancel', 'Stage cancelled'), ('pause_supplement', 'Supplement requested'), ('pause_missing_items', 'Notice of missing items'), ('pause_rectification', 'Rectification requested'), ('pause_expert', 'Clock stopped: expert consultation'), ('pause_hearing', 'Clock stopped: hearing'), ('pause_objection', 'Clock stopped: objection'), ('pause_suspension', 'Clock stopped: case suspended'), ('pause_applicant_delay', "Clock stopped: verification delayed at the applicant's request"), ('pause_awaiting_qms', 'Clock stopped: waiting for the QMS verification result'), ('resume_supplement', 'Supplement received'), ('resume_missing_items', 'Missing items received'), ('resume_rectification', 'Rectification received'), ('resume_expert', 'Clock restarted after expert consultation'), ('resume_hearing', 'Clock restarted after hearing'), ('resume_objection', 'Clock restarted after objection'), ('resume_suspension', 'Clock restarted: case resumed'), ('resume_applicant_delay', "Clock restarted after the applicant's delay"), ('resume_awaiting_qms', 'Clock restarted: QMS verification result received'), ('certificate_corrected', 'Certificate record corrected'), ('renewal_filed_late', 'Renewal filed outside its window'), ('documents', 'Documents received from the applicant'), ('extend', 'Deadline extended'), ('reassign', 'Reassigned'), ('office_reassign', 'Moved to another office'), ('reproject', 'Deadlines re-projected (calendar)'), ('reproject_policy', 'Deadlines re-projected (policy pack)'), ('rebind_policy', 'Policy pack changed')], max_length=40, verbose_name='action'),
        ),
    ]
