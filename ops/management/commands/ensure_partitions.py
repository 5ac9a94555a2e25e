"""Create the coming years' partitions of the transition log and the alert deliveries:
``manage.py ensure_partitions`` (docs/deployment.md#yearly-partitions).

The migrations create this year's and next year's; run this once a year (December, by cron, as
the database owner, then ``grant_app_role``), or any time: it creates only what is missing. A
row of a year with no partition yet is never refused, the DEFAULT partition holds it; this
command then moves such rows into their year's new partition.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from review.partitions import TABLES, ensure_years


class Command(BaseCommand):
    help = "Create this year's and the next years' partitions of the transition log and the deliveries."

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=1, help="years ahead of this one (default 1)")

    def handle(self, *args, ahead: int = 1, **options):
        if connection.vendor != "postgresql":
            raise CommandError("ensure_partitions is for PostgreSQL; SQLite (the demo) has no partitions.")
        if ahead < 0:
            raise CommandError("--ahead: give 0 or more years.")
        for table in TABLES:
            with transaction.atomic(), connection.cursor() as cursor:
                created = ensure_years(cursor, table, ahead=ahead)
            self.stdout.write(f"{table}: " + (", ".join(str(y) for y in created) + " created" if created
                                              else "nothing missing"))
