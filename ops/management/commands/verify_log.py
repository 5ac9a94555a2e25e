"""Check the transition log's hash chains: ``manage.py verify_log``.

Exits 0 when every case's chain is intact, 1 naming the first broken row of each broken case.
``--heads`` also prints each case's newest hash: keep that list elsewhere (it proves the newest
rows were not cut off later). Meant for a daily cron job and for after every restore.
"""

from django.core.management.base import BaseCommand, CommandError

from review import logchain
from review.models import Application, TransitionLog


class Command(BaseCommand):
    help = "Verify the hash chain of every case's transition log; name the first broken row."

    def add_arguments(self, parser):
        parser.add_argument("--heads", action="store_true", help="print each case's newest hash")
        parser.add_argument("--case", help="only this case (reference)")

    def handle(self, *args, heads=False, case=None, **options):
        qs = TransitionLog.objects.all()
        if case:
            qs = qs.filter(application__reference=case)
        refs = dict(Application.objects.values_list("pk", "reference"))

        def head(app_id, digest):
            if heads:
                self.stdout.write(f"{refs.get(app_id, app_id)} {digest}")

        rows, cases, breaks = logchain.verify_all(qs, on_case=head)
        for b in breaks:
            self.stderr.write(f"BROKEN: {b.describe(refs.get(b.application_id, ''))}")
        if breaks:
            raise CommandError(f"{len(breaks)} of {cases} case logs are broken ({rows} rows checked); "
                               f"first: row #{breaks[0].row_id}")
        self.stdout.write(f"OK: {rows} log rows of {cases} cases, every chain intact.")
