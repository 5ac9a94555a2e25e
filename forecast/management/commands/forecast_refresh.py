"""``manage.py forecast_refresh``: recompute the completion forecasts' distributions now (beat runs
the same nightly; the admin has an action)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from forecast.services import refresh


class Command(BaseCommand):
    help = "Recompute the distributions the completion forecasts are drawn from (docs/forecast.md)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD: the history up to this day (default today)")

    def handle(self, *args, as_of=None, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError("--as-of: give a date as YYYY-MM-DD.") from exc
        run = refresh(as_of=day, trigger="command")
        self.stdout.write(f"forecast refresh v{run.version}: history up to {run.as_of}, {run.stages_read:,} stages "
                          f"read, {run.groups:,} groups, {run.seconds:.2f} s")
