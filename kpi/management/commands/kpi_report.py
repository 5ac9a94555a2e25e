"""Write the monthly performance report (every dashboard table and the case list) to a file."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from kpi import exports
from kpi.figures import dashboard_data
from kpi.selectors import KpiFilters, Scope, case_list
from review import replica
from review.models import Office


class Command(BaseCommand):
    help = ("Write the performance report for a month (default: the last complete month) as Excel, "
            "or one table as CSV.")

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--start", help="YYYY-MM-DD, with --end, instead of --month")
        parser.add_argument("--end", help="YYYY-MM-DD")
        parser.add_argument("--output", "-o", help="file to write (default kpi-<start>-<end>.xlsx here)")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--table", default="stages", choices=exports.TABLE_NAMES,
                            help="with --format csv: which table")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])
        parser.add_argument("--office", help="an office's code (e.g. CQ): its cases only (default: every office)")

    def _period(self, options) -> tuple[dt.date, dt.date]:
        try:
            if options["start"] or options["end"]:
                start, end = dt.date.fromisoformat(options["start"]), dt.date.fromisoformat(options["end"])
            else:
                if options["month"]:
                    year, month = (int(x) for x in options["month"].split("-"))
                else:
                    first = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
                    year, month = first.year, first.month
                start = dt.date(year, month, 1)
                end = dt.date(year, month, calendar.monthrange(year, month)[1])
        except (TypeError, ValueError) as exc:
            raise CommandError("--month: give YYYY-MM; or --start and --end: give YYYY-MM-DD each.") from exc
        if start > end:
            raise CommandError("--start: must be on or before --end.")
        return start, end

    def handle(self, *args, **options):
        start, end = self._period(options)
        office = None
        if options["office"]:
            office = Office.objects.filter(code=options["office"].upper()).values_list("pk", flat=True).first()
            if office is None:
                codes = ", ".join(Office.objects.values_list("code", flat=True))
                raise CommandError(f"--office: no office has the code {options['office']!r}; one of {codes}.")
        filters = KpiFilters(start=start, end=end, office=office)
        today = timezone.localdate()  # "open now" figures read the stored dates as they are today
        fmt = options["format"]
        path = Path(options["output"] or f"kpi-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}")
        with translation.override(options["language"]), replica.reading():
            data = dashboard_data(filters, today=today, scope=Scope(), urgent_limit=None)
            tables = [*exports.tables(data), exports.case_list_table(case_list(filters))]
            if fmt == "xlsx":
                with path.open("wb") as fh:
                    exports.write_xlsx([exports.filters_table(filters, today=today), *tables], fh)
            else:
                table = next(t for t in tables if t[0] == options["table"])
                with path.open("w", encoding="utf-8", newline="") as fh:
                    exports.write_csv(table, fh)
        done = sum(r.done for r in data["stages"])
        self.stdout.write(f"{path}: {start} to {end}, {done} stages finished, "
                          f"{data['cases'].decided} cases decided, {data['urgent_total']} overdue or due soon")
