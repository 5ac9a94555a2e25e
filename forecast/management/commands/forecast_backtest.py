"""``manage.py forecast_backtest --as-of YYYY-MM-DD [--json]``: forecast every case open on that day
from what was known then, and compare with what happened. With ``--json`` the last line is
``{"as_of", "cases", "p50_coverage", "p90_coverage", "mae_wd", "target_sum_mae_wd"}``."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from forecast.services import backtest


class Command(BaseCommand):
    help = "Backtest the completion forecasts on a past day (docs/forecast.md)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD: the day to forecast from")
        parser.add_argument("--json", action="store_true", help="end with one line of JSON")
        parser.add_argument("--draws", type=int, default=None, help="Monte Carlo draws per case (default 400)")
        parser.add_argument("--sample", type=int, default=None,
                            help="forecast only this many of the open cases, drawn at random (default: all)")

    def handle(self, *args, as_of, json: bool = False, draws=None, sample=None, **options):
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise CommandError("--as-of: give a date as YYYY-MM-DD.") from exc
        if day >= timezone.localdate():
            raise CommandError("--as-of: give a day in the past, so that what happened since can be compared.")
        if draws is not None and draws < 10:
            raise CommandError("--draws: give at least 10.")
        if sample is not None and sample < 1:
            raise CommandError("--sample: give a positive number of cases.")
        r = backtest(day, draws=draws, sample=sample)
        pct = lambda v: "—" if v is None else f"{100 * v:.1f}%"  # noqa: E731
        self.stdout.write(
            f"as of {r.as_of}: {r.cases:,} cases compared ({r.no_forecast:,} without a forecast, "
            f"{r.still_open:,} still open before their p90); done by p50 {pct(r.p50_coverage)}, by p90 "
            f"{pct(r.p90_coverage)} (the model expected {pct(r.expected_p50)} and {pct(r.expected_p90)}: "
            f"days on which many draws fall count whole); mean absolute error {r.mae_wd} WD "
            f"(target sum: {r.target_sum_mae_wd} WD); {r.seconds} s")
        if json:
            self.stdout.write(_dumps(r.as_json()))


def _dumps(data):
    return json.dumps(data, ensure_ascii=False)
