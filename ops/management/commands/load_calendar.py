"""Load a newly published official schedule (JSON or CSV) and re-project the open deadlines."""

from django.core.management.base import BaseCommand, CommandError

from clock.calendar_sources import load_schedule_file
from services.actors import system_actor
from services.calendar_data import calendar_load_years


class Command(BaseCommand):
    help = (
        "Load the State Council's holiday schedule for one or more years from a JSON or CSV file "
        "(format: fixtures/calendar/README.md), mark those years official and re-project every "
        "open deadline it moves (each move is logged on its case)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON or CSV file, e.g. fixtures/calendar/sample-2027.json")
        parser.add_argument("--source", default="", help="Name of the notice, if the file has none.")

    def handle(self, *args, path, source, **options):
        try:
            schedule = load_schedule_file(path)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        written, moved = calendar_load_years(schedule=schedule, source=source, actor=system_actor())
        years = ", ".join(str(y) for y in sorted(schedule))
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {written} days for {years}; {moved} open deadlines re-projected."
        ))
