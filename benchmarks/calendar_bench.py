"""Benchmark: due-date computations on the working-day calendar.

Run from the repository root or anywhere: ``python benchmarks/calendar_bench.py``. No Django.

Times one million ``add_working_days`` calls (random starts 2004-2026, random 0-120 working days,
fixed seed) on the bisect-based calendar, against the day-by-day loop over the same calendar. The
naive loop is timed on a smaller sample and extrapolated, and the output says so. Also times one
million ``working_days_between`` calls. Results are printed, not asserted: record them
in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from datetime import date
from pathlib import Path

# Run as a plain script: make the repository root importable, then import the services in main().
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CALLS = 1_000_000
NAIVE_SAMPLE = 20_000
SEED = 20261124
MAX_DAYS = 120
FIRST, LAST = date(2004, 1, 1), date(2026, 12, 31)


def main() -> None:
    from clock.calendar import WorkingCalendar, naive_add_working_days
    from clock.calendar_sources import official_schedule

    started = time.perf_counter()
    calendar = WorkingCalendar.from_schedule(official_schedule())
    build_seconds = time.perf_counter() - started

    rng = random.Random(SEED)
    low, high = FIRST.toordinal(), LAST.toordinal()
    starts = [date.fromordinal(rng.randint(low, high)) for _ in range(CALLS)]
    days = [rng.randint(0, MAX_DAYS) for _ in range(CALLS)]
    ends = [date.fromordinal(rng.randint(low, high)) for _ in range(CALLS)]

    add = calendar.add_working_days
    started = time.perf_counter()
    fast = [add(s, n) for s, n in zip(starts, days, strict=True)]
    fast_seconds = time.perf_counter() - started

    started = time.perf_counter()
    naive = [
        naive_add_working_days(calendar, s, n)
        for s, n in zip(starts[:NAIVE_SAMPLE], days[:NAIVE_SAMPLE], strict=True)
    ]
    naive_sample_seconds = time.perf_counter() - started
    naive_seconds = naive_sample_seconds * CALLS / NAIVE_SAMPLE
    if naive != fast[:NAIVE_SAMPLE]:
        raise SystemExit("fast and naive results differ: the benchmark is meaningless")

    between = calendar.working_days_between
    started = time.perf_counter()
    for s, e in zip(starts, ends, strict=True):
        between(s, e)
    between_seconds = time.perf_counter() - started

    print("Calendar: due-date computations")
    print(f"python              {platform.python_version()} ({platform.python_implementation()})")
    print(f"machine             {platform.machine()}, {os.cpu_count()} cores")
    print(f"calendar            {calendar!r}, built in {build_seconds * 1000:.1f} ms")
    print(f"add_working_days    {CALLS:,} calls, starts {FIRST}..{LAST}, days 0..{MAX_DAYS}")
    print(f"  fast (table)      {fast_seconds:.3f} s  ({fast_seconds / CALLS * 1e9:.0f} ns/call)")
    print(
        f"  naive (day loop)  {naive_seconds:.1f} s  extrapolated from {NAIVE_SAMPLE:,} calls "
        f"timed at {naive_sample_seconds:.3f} s; same results"
    )
    print(f"  ratio             {naive_seconds / fast_seconds:.0f}x faster")
    print(
        f"working_days_between {CALLS:,} calls: {between_seconds:.3f} s "
        f"({between_seconds / CALLS * 1e9:.0f} ns/call)"
    )


if __name__ == "__main__":
    main()
