"""Rebuild the dashboard's monthly summaries (docs/dashboard.md#summaries)."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from kpi import summaries


class Command(BaseCommand):
    help = ("Rebuild the dashboard's summaries: every complete month with finished stages and the past days "
            "of this month (--all), the months named (--month), or those due (default, as the hourly refresh does).")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every complete month with finished stages")
        parser.add_argument("--month", action="append", default=[], help="YYYY-MM (repeatable)")

    def handle(self, *args, **options):
        try:
            named = [dt.date.fromisoformat(f"{m}-01") for m in options["month"]]
        except ValueError as exc:
            raise CommandError("--month: give YYYY-MM, e.g. --month 2026-05.") from exc
        if options["all"]:
            months = summaries.months_with_finished_stages()
        elif named:
            months = named
        else:
            months = summaries.due_months()
        for month in months:
            started = time.perf_counter()
            try:
                rows = summaries.build_month(month)
            except ValueError as exc:
                raise CommandError(f"--month: {exc}.") from exc
            self.stdout.write(f"{month:%Y-%m}: {rows:,} rows ({time.perf_counter() - started:.2f} s)")
        days = summaries.due_days() if options["all"] or not named else []
        for day in days:
            summaries.build_day(day)
        self.stdout.write(f"{len(months)} month(s) rebuilt, {len(days)} day(s) of months not yet whole.")
