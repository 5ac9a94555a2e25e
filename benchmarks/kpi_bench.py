"""Benchmark: the dashboard, the worklist ("my work") and the exports at 100,000 applications.

Run from the repository root, against a PostgreSQL database of its own (it is wiped)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpibench \\
        .venv/bin/python benchmarks/kpi_bench.py [--cases 100000] [--sizes 10000,100000]

What it does:

1. Migrates the database and wipes earlier bench data (``sweep_bench``'s helpers).
2. Creates the same staff and enterprises as ``sweep_bench``, then at each size the open cases of
   ``sweep_bench.generate`` (70%: technical review and QMS verification running or paused, a
   decision pending; 10% past target, 3% paused on a supplement) and decided cases (30%): three
   stages done (technical review, QMS verification, decision) with finished dates spread over the
   12 months before 2026-11-24, working days spread around the targets (about 15% late against
   the target, 2% against the statutory limit), and a supplement answered in one case of ten.
3. Measures, each three times after one warm-up (the best and the median printed), timing with
   ``time.perf_counter`` and counting queries with ``CaptureQueriesContext``:
   the dashboard page (``GET /dashboard/``, this year, no filter; and with two filters), the admin
   start page of a reviewer (``GET /admin/``, which leads with "my work"), the worklist selector
   alone, the Excel export of every table, the case list as CSV (streamed) and as Excel, and the
   CSV of the stage table.

With ``--load`` it measures instead the data of ``manage.py generate_load`` as it is (nothing is
generated or wiped; run ``VACUUM ANALYZE`` first): the dashboard this year and with one filter, as a
supervisor, and an industry officer's figures (``/portal/dashboard/``, the district with the most
cases; the officer is created once, ``kpibench-officer``), each first with the monthly summaries
emptied (every figure from the stages) and then after ``kpi_summaries --all`` (the complete months
from their summaries), the figures of the two compared.

Results are printed, not asserted: record them in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sweep_bench as sb  # noqa: E402  (the shared data generator)

TODAY = sb.TODAY
DECIDED_SHARE = 0.30


def generate_decided(world, upto: int, rng: random.Random, done: list[int]) -> None:
    """Decided cases, three stages done each, up to ``upto`` decided cases in all."""
    from django.db import transaction

    from review.models import Application, ClockStop, Stage
    from review.models.enums import CaseState, PauseReason, StageState

    day = dt.timedelta(days=1)
    specs = [("technical_review", 4, "review", 40, 60), ("qms_verification", 4, "inspection", 20, 30),
             ("decision", 5, "approval", 10, 20)]
    while done[0] < upto:
        first, last = done[0], min(upto, done[0] + sb.BATCH)
        with transaction.atomic():
            decided_on = [TODAY - rng.randint(1, 365) * day for _ in range(first, last)]
            apps = Application.objects.bulk_create([
                Application(
                    reference=f"{sb.BENCH}D{i:07d}", enterprise_id=world.enterprise_ids[i % len(world.enterprise_ids)],
                    product_name=f"Bench decided device {i}", device_class="II",
                    category=("passive", "active", "ivd")[i % 3], application_type="first",
                    pathway="priority" if i % 10 == 0 else "standard",
                    route_id=world.route_id, policy_pack_id=world.pack_id, office_id=world.office_id,
                    state=CaseState.APPROVED, phase=5,
                    submitted_on=d - 150 * day, accepted_on=d - 120 * day, closed_on=d,
                )
                for i, d in zip(range(first, last), decided_on, strict=True)
            ])
            stages, with_stop = [], []
            for app, d in zip(apps, decided_on, strict=True):
                for kind, phase, dept, target, statutory in specs:
                    u = rng.random()
                    used = (rng.randint(target + 1, statutory) if u < 0.13 else
                            rng.randint(statutory + 1, statutory + 10) if u < 0.15 else rng.randint(3, target))
                    stage = Stage(
                        state=StageState.DONE, application_id=app.pk, kind=kind, phase=phase,
                        department_id=world.departments[dept], target_days=target, statutory_days=statutory,
                        original_statutory_days=statutory, consumed_days=used, rule_source="bench",
                        started_on=d - 100 * day, finished_on=d - (0 if kind == "decision" else 20) * day,
                        outcome="approve" if kind != "qms_verification" else "passed")
                    stages.append(stage)
                    if kind == "technical_review" and rng.random() < 0.1:
                        with_stop.append(stage)
            Stage.objects.bulk_create(stages)
            ClockStop.objects.bulk_create([
                ClockStop(stage_id=s.pk, reason=PauseReason.SUPPLEMENT, started_on=s.started_on + 10 * day,
                          ended_on=s.started_on + (10 + rng.randint(5, 60)) * day, items=["检验报告"])
                for s in with_stop])
            done[0] = last


def measure(label: str, fn, repeat: int = 3) -> tuple[str, float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    fn()  # warm-up: a web process keeps its calendar (review.selectors.CALENDAR_TTL) between requests
    if time.perf_counter() - started > 5:
        repeat = 1  # the Excel case list: one timed run is enough
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        queries = len(ctx)
    return label, min(times), statistics.median(times), queries


def load_mode(repeat: int) -> None:
    """``--load``: the dashboards on generate_load's data, without and with the monthly summaries."""
    from django.contrib.auth.models import Group
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from kpi import summaries
    from kpi.figures import dashboard_data
    from kpi.forms import KpiFilterForm
    from kpi.models import StageMonth, SummaryMonth
    from kpi.selectors import Scope
    from review.models import Application, Stage, User

    today = timezone.localdate()
    supervisor = User.objects.filter(username__startswith="load-supervisor").first()
    district = (Application.objects.values("enterprise__district").annotate(n=Count("pk"))
                .order_by("-n").values_list("enterprise__district", flat=True).first())
    officer, _created = User.objects.get_or_create(username="kpibench-officer",
                                                   defaults={"district": district, "is_staff": False})
    officer.groups.add(*Group.objects.filter(name="产业部门 Industry officer"))
    print(f"{Application.objects.count():,} applications, {Stage.objects.count():,} stages "
          f"({Stage.objects.filter(state='done').count():,} finished); today {today}; officer's district {district}")
    pages = [
        ("dashboard, this year", supervisor, "/dashboard/"),
        ("dashboard, one filter (category)", supervisor, "/dashboard/?category=active"),
        ("dashboard, last 12 months", supervisor,
         f"/dashboard/?start={today.replace(year=today.year - 1) + dt.timedelta(days=1)}&end={today}"),
        ("officer's figures, this year", officer, "/portal/dashboard/"),
    ]

    def figures(user, query):
        form = KpiFilterForm(query, today=today, officer=user == officer)
        assert form.is_valid(), form.errors
        data = dashboard_data(form.filters(), today=today, scope=Scope(None if user == supervisor else user),
                              lists=False)
        return [data["stages"], data["cases"], data["trend"]]

    results = {}
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for mode in ("from the stages", "with the summaries"):
            if mode == "from the stages":
                StageMonth.objects.all().delete()
                SummaryMonth.objects.all().delete()
            else:
                started = time.perf_counter()
                months = summaries.months_with_finished_stages()
                for month in months:
                    summaries.build_month(month)
                print(f"\nevery month built: {len(months)} months, {StageMonth.objects.count():,} rows, "
                      f"{sb.fmt_s(time.perf_counter() - started)}")
                started = time.perf_counter()
                days = summaries.due_days()
                summaries.refresh()
                print(f"the days of this month so far built ({len(days)} days, the first sweep's work): "
                      f"{sb.fmt_s(time.perf_counter() - started)}")
                started = time.perf_counter()
                summaries.build_month(months[-1])
                print(f"one month rebuilt ({months[-1]:%Y-%m}, each recent month's daily rebuild): "
                      f"{sb.fmt_s(time.perf_counter() - started)}")
                started = time.perf_counter()
                summaries.refresh()
                print(f"a sweep's refresh with nothing due: {sb.fmt_s(time.perf_counter() - started)}")
            print(f"\n{mode}:")
            for label, user, url in pages:
                client = Client()
                client.force_login(user)
                assert client.get(url).status_code == 200, (label, url)
                row = measure(label, lambda c=client, u=url: c.get(u), repeat)
                results[(mode, label)] = row
                print(f"  {row[0]:<40} best {sb.fmt_s(row[1]):>8}  median {sb.fmt_s(row[2]):>8}  {row[3]:>3} queries")
            for label, user, url in pages:
                query = dict(pair.split("=") for pair in url.partition("?")[2].split("&") if pair)
                results[(mode, label, "figures")] = figures(user, query)
    same = all(results[("from the stages", label, "figures")] == results[("with the summaries", label, "figures")]
               for label, _u, _url in pages)
    print(f"\nfigures the same both ways: {same}")
    print("\n| what | from the stages: best | median | queries | with the summaries: best | median | queries |")
    print("|---|---|---|---|---|---|---|")
    for label, _u, _url in pages:
        a, b = results[("from the stages", label)], results[("with the summaries", label)]
        print(f"| {label} | {sb.fmt_s(a[1])} | {sb.fmt_s(a[2])} | {a[3]} "
              f"| {sb.fmt_s(b[1])} | {sb.fmt_s(b[2])} | {b[3]} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="applications in all (largest size)")
    parser.add_argument("--sizes", help="ascending, ending with --cases (default: 10000,--cases)")
    parser.add_argument("--force", action="store_true", help="allow a database whose name lacks 'bench'")
    parser.add_argument("--reuse", action="store_true", help="measure the data of a previous run as it is")
    parser.add_argument("--load", action="store_true",
                        help="measure generate_load's data as it is, without and with the monthly summaries")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per page (--load)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [
        s for s in (10_000,) if s < args.cases] + [args.cases]

    sb.django_setup()
    name = sb.ensure_database(args.force)
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    print(f"Dashboard, worklist and export benchmark: database {name}")
    for label, value in sb.machine_info():
        print(f"{label:<12}{value}")
    if args.load:
        load_mode(args.repeat)
        return

    from review.models import Department, Stage, User
    from review.selectors import calendar_current
    from review.worklist import worklist

    if args.reuse:
        sizes = [args.cases]
    else:
        sb.wipe()
    world = None if args.reuse else sb.create_people(args.cases)
    rng = random.Random(sb.SEED)
    cal = calendar_current()
    decided = [0]
    supervisor = User.objects.filter(username__startswith=sb.BENCH, groups__name="科室负责人 Supervisor").first()
    reviewer = User.objects.filter(username__startswith=sb.BENCH, groups__name="审评员 Reviewer").first()
    results = []
    year = "?start=2025-11-25&end=2026-11-24"
    filtered = f"/dashboard/{year}&category=active&department={Department.objects.get(code='review').pk}"
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        staff, rev = Client(), Client()
        staff.force_login(supervisor)
        rev.force_login(reviewer)
        for size in sizes:
            started = time.perf_counter()
            if not args.reuse:
                sb.generate(world, int(size * (1 - DECIDED_SHARE)), rng, cal)
                generate_decided(world, int(size * DECIDED_SHARE), rng, decided)
            sb.sql("VACUUM ANALYZE")
            open_cases = Stage.objects.filter(kind="decision", state="pending").count()
            decided[0] = Stage.objects.filter(kind="decision", state="done").count()
            print(f"\n{size:,} applications ({open_cases:,} open, {decided[0]:,} decided), "
                  f"{Stage.objects.count():,} stages; generated in {sb.fmt_s(time.perf_counter() - started)}; "
                  f"the reviewer has {Stage.objects.filter(assignee=reviewer).count():,} assigned stages")
            checks = [
                ("dashboard", lambda: staff.get("/dashboard/" + year)),
                ("dashboard, 2 filters", lambda: staff.get(filtered)),
                ("admin start page (my work)", lambda: rev.get("/admin/")),
                ("worklist selector", lambda: worklist(reviewer, today=TODAY, cal=calendar_current())),
                ("export: Excel, every table", lambda: staff.get("/dashboard/export.xlsx" + year)),
                ("export: CSV, case list (streamed)",
                 lambda: b"".join(staff.get("/dashboard/export.csv" + year + "&table=case_list").streaming_content)),
                ("export: Excel, case list", lambda: staff.get("/dashboard/export.xlsx" + year + "&table=case_list")),
                ("export: CSV, stage table", lambda: staff.get("/dashboard/export.csv" + year + "&table=stages")),
            ]
            for label, fn in checks:
                response = fn()
                status = getattr(response, "status_code", 200)
                assert status == 200, (label, status)
                row = measure(label, fn)
                results.append((size, *row))
                print(f"  {row[0]:<40} best {sb.fmt_s(row[1]):>8}  median {sb.fmt_s(row[2]):>8}  {row[3]:>3} queries")
    print("\n| applications | what | best | median | queries |\n|---|---|---|---|---|")
    for size, label, best, median, queries in results:
        print(f"| {size:,} | {label} | {sb.fmt_s(best)} | {sb.fmt_s(median)} | {queries} |")


if __name__ == "__main__":
    main()
