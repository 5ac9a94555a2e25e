"""Benchmark: every list and detail page and endpoint, the sweep and the calendar, at 1,000 and
100,000 applications. ``make bench`` runs it.

Run from the repository root with a PostgreSQL URL whose database name contains ``bench``; one
database per size is used, named ``<name>_<size>`` (created, migrated and filled by
``manage.py generate_load`` when it does not hold exactly that many generated cases, then
reused)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/pages_bench.py \\
        [--sizes 1000,100000] [--repeat 15] [--no-throughput]

What it measures, for each size:

- each path through Django's test ``Client`` in a fresh process per size (calendar cache warm,
  as in a running server): 3 warm-up requests, then ``--repeat`` timed ones; the median time and
  the number of SQL statements of one request (``CaptureQueriesContext``). Staff paths run as a
  supervisor (sees every case), enterprise paths as the user of the enterprise with the most
  cases; detail paths open a case of that enterprise in review;
- the deadline sweep on that data: cold (alerts, deliveries and overdue flags reset first, so it
  raises the whole backlog) and steady (the next run: nothing new), via the helpers of
  ``benchmarks/sweep_bench.py``;
- once, without Django: the calendar's ``add_working_days`` against the naive day loop (the
  numbers of ``benchmarks/calendar_bench.py``, smaller sample).

Then, on the largest size, throughput under gunicorn (2 sync workers, production settings,
bound to 127.0.0.1 only) with a bounded load (``--requests`` per URL at most, ``--seconds`` at
most, 4 client threads on keep-alive connections): ``/healthz`` and the API detail, requests per
second and their ratio. The client runs on the same 2 cores as the server, so both numbers are
lower than on a separate load machine; the ratio is the comparable figure.

Results are printed, not asserted; docs/benchmarks.md records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
GOALS_MS = 100  # every list and detail under 100 ms median


# --- the paths (worker side) ---------------------------------------------------------------------
def paths(ctx) -> list[tuple[str, str, str]]:
    """(label, who, url). Add a row here for a new page (dashboard, worklists)."""
    a = ctx
    return [
        ("admin list", "staff", "/admin/review/application/"),
        ("admin list, overdue filter", "staff", "/admin/review/application/?deadline=overdue"),
        ("admin list, state filter", "staff", "/admin/review/application/?state__exact=review"),
        ("admin search, reference", "staff", f"/admin/review/application/?q={a['reference']}"),
        ("admin search, product", "staff", f"/admin/review/application/?q={a['product_word']}"),
        ("admin search, enterprise", "staff", f"/admin/review/application/?q={a['enterprise_name']}"),
        ("admin case page", "staff", f"/admin/review/application/{a['case']}/change/"),
        ("API list, staff", "staff-token", "/api/v1/applications/"),
        ("API list, staff, overdue", "staff-token", "/api/v1/applications/?overdue=true"),
        ("API list, staff, search", "staff-token", f"/api/v1/applications/?q={a['product_word']}"),
        ("API detail, staff", "staff-token", f"/api/v1/applications/{a['case']}/"),
        ("API list, enterprise", "enterprise-token", "/api/v1/applications/"),
        ("API detail, enterprise", "enterprise-token", f"/api/v1/applications/{a['case']}/"),
        ("portal list, enterprise", "enterprise", "/portal/"),
        ("portal case page, enterprise", "enterprise", f"/portal/applications/{a['case']}/"),
    ]


def worker(repeat: int, sweep: bool) -> None:
    """Runs inside one size's database; prints one JSON object."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from review.models import Application, Enterprise, User
    from review.selectors import calendar_current

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    calendar_current()
    staff = User.objects.filter(username__startswith="load-supervisor").order_by("pk").first()
    top = (Enterprise.objects.filter(credit_code__startswith="91500000MC").annotate(n=Count("applications"))
           .order_by("-n", "pk").first())
    ent_user = User.objects.filter(enterprise=top).order_by("pk").first()
    # The same kind of case at every size: in review, with a pause (so every prefetch runs).
    in_review = Application.objects.filter(enterprise=top, state="review", reference__startswith="LD")
    case = (in_review.filter(stages__clock_stops__isnull=False).order_by("pk").first()
            or in_review.order_by("pk").first())
    middle = Application.objects.filter(reference__startswith="LD").order_by("pk")[
        Application.objects.filter(reference__startswith="LD").count() // 2]
    ctx = {"reference": middle.reference, "product_word": "血糖测试条", "enterprise_name": top.name,
           "case": case.pk}
    clients = {}
    for who, user in (("staff", staff), ("enterprise", ent_user)):
        c = Client()
        c.force_login(user)
        clients[who] = c
        t = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        clients[f"{who}-token"] = t
    results = []
    for label, who, url in paths(ctx):
        client = clients[who]
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries = len(captured)  # now: the next request resets the connection's query log
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - t0)
        results.append({"label": label, "ms": statistics.median(times) * 1000,
                        "queries": queries})
    out = {"paths": results, "cases": Application.objects.count(), "case": case.pk, "load": os.getloadavg(),
           "stages": connection.cursor().execute("SELECT count(*) FROM review_stage").fetchone()[0]}
    if sweep:
        out["sweep"] = sweep_runs()
    print("JSON " + json.dumps(out))


def sweep_runs() -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from benchmarks.sweep_bench import reset_sweep_state
    from notifications.sweep import deadlines_sweep
    from review.selectors import calendar_cache_clear

    reset_sweep_state()
    runs = []
    for kind in ("cold", "steady", "steady", "steady"):
        calendar_cache_clear()
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            result = deadlines_sweep(today=timezone.localdate())
            seconds = time.perf_counter() - t0
        runs.append({"kind": kind, "ms": seconds * 1000, "queries": len(captured.captured_queries),
                     "alerts": sum(result.raised.values()), "deliveries": result.deliveries})
    # The reset analysed the stages with no overdue flag; the cold sweep then flagged thousands.
    # Leave fresh statistics, as autovacuum would in service, so the next run plans on the truth.
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return runs


# --- the calendar (no Django) --------------------------------------------------------------------
def calendar_row() -> dict:
    from datetime import date, timedelta

    from clock.calendar import WorkingCalendar, naive_add_working_days
    from clock.calendar_sources import official_schedule

    cal = WorkingCalendar.from_schedule(official_schedule())
    rng = random.Random(20261124)
    span = (date(2026, 12, 31) - date(2004, 1, 1)).days
    calls = [(date(2004, 1, 1) + timedelta(days=rng.randrange(span)), rng.randint(0, 120)) for _ in range(200_000)]
    t0 = time.perf_counter()
    fast = [cal.add_working_days(d, n) for d, n in calls]
    fast_s = (time.perf_counter() - t0) * 5  # per million
    sample = calls[:10_000]
    t0 = time.perf_counter()
    naive = [naive_add_working_days(cal, d, n) for d, n in sample]
    naive_s = (time.perf_counter() - t0) * 100
    assert naive == fast[:10_000], "the naive loop and the calendar disagree"
    return {"fast_s": fast_s, "naive_s": naive_s}


# --- orchestration ---------------------------------------------------------------------------------
def db_url(base: str, size: int) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{size}"))


def ensure_data(url: str, size: int, env: dict) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    run_env = {**env, "DATABASE_URL": url}
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=run_env, check=True)
    with psycopg.connect(url) as conn:
        have = conn.execute("SELECT count(*) FROM review_application WHERE reference LIKE 'LD%%'").fetchone()[0]
    if have == size:
        print(f"  {name}: reusing {size:,} generated applications")
        return
    print(f"  {name}: generating {size:,} applications (manage.py generate_load)")
    t0 = time.perf_counter()
    subprocess.run([PYTHON, "manage.py", "generate_load", "--applications", str(size), "--wipe"],
                   cwd=ROOT, env=run_env, check=True)
    print(f"  generated in {time.perf_counter() - t0:.0f} s")


def measure(url: str, env: dict, repeat: int, sweep: bool) -> dict:
    args = [PYTHON, str(Path(__file__).resolve()), "--worker", "--repeat", str(repeat)]
    if not sweep:
        args.append("--no-sweep")
    proc = subprocess.run(args, cwd=ROOT, env={**env, "DATABASE_URL": url}, check=True,
                          capture_output=True, text=True)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("JSON "))
    return json.loads(line[5:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(port: int, path: str, headers: dict, requests_max: int, seconds_max: float, threads: int = 4) -> dict:
    """A bounded closed-loop load: at most ``requests_max`` requests and ``seconds_max`` seconds."""
    import http.client

    lock = threading.Lock()
    state = {"sent": 0, "ok": 0, "errors": 0}
    deadline = time.perf_counter() + seconds_max

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < deadline:
            with lock:
                if state["sent"] >= requests_max:
                    return
                state["sent"] += 1
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok = False
            with lock:
                state["ok" if ok else "errors"] += 1

    workers = [threading.Thread(target=run) for _ in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - t0
    return {"ok": state["ok"], "errors": state["errors"], "seconds": seconds, "rps": state["ok"] / seconds}


def throughput(url: str, env: dict, case: int, requests_max: int, seconds_max: float) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        user_id = conn.execute("SELECT id FROM review_user WHERE username LIKE 'load-supervisor%%' "
                               "ORDER BY id LIMIT 1").fetchone()[0]
        row = conn.execute("SELECT key FROM authtoken_token WHERE user_id = %s", [user_id]).fetchone()
    port = free_port()
    server_env = {**env, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.production",
                  "DJANGO_SECRET_KEY": secrets.token_urlsafe(40), "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                  "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([str(Path(PYTHON).parent / "gunicorn"), "config.wsgi", "--workers", "2",
                               "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
                              cwd=ROOT, env=server_env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        auth = {"Authorization": f"Token {row[0]}", "Host": "127.0.0.1"}
        results = {}
        for label, path, headers in (("/healthz", "/healthz", {"Host": "127.0.0.1"}),
                                     ("API detail", f"/api/v1/applications/{case}/", auth)):
            load(port, path, headers, 50, 10)  # warm both workers (calendar cache, connections)
            results[label] = load(port, path, headers, requests_max, seconds_max)
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def growth(a: float, b: float) -> str:
    return f"{b / a:.1f}x" if a else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--requests", type=int, default=2000, help="throughput: requests per URL at most")
    parser.add_argument("--seconds", type=float, default=20, help="throughput: seconds per URL at most")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.repeat, not args.no_sweep)
        return

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres") or "bench" not in urlsplit(base).path:
        raise SystemExit("pages_bench needs DATABASE_URL=postgres://.../<name with 'bench'> "
                         "(one database per size is created beside it, named <name>_<size>)")
    sizes = [int(s) for s in args.sizes.split(",")]
    env = dict(os.environ)
    print(f"Pages benchmark: {machine()}")
    cal = calendar_row()
    results = {}
    for size in sizes:
        url = db_url(base, size)
        ensure_data(url, size, env)
        results[size] = measure(url, env, args.repeat, not args.no_sweep)
        print(f"  measured at {size:,}: {results[size]['cases']:,} applications, "
              f"{results[size]['stages']:,} stages; load average then "
              f"{', '.join(f'{x:.1f}' for x in results[size]['load'])}")

    small, large = sizes[0], sizes[-1]
    a, b = results[small], results[large]
    head = f"| path | {small:,}: median | queries | {large:,}: median | queries | growth |"
    print("\n" + head)
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| calendar: 1,000,000 add_working_days | {cal['fast_s']:.3f} s | - | (naive loop) "
          f"{cal['naive_s']:.1f} s | - | {cal['naive_s'] / cal['fast_s']:.0f}x faster |")
    for pa, pb in zip(a["paths"], b["paths"], strict=True):
        flag = "" if pb["ms"] < GOALS_MS and pa["queries"] == pb["queries"] else " !"
        print(f"| {pa['label']} | {pa['ms']:.1f} ms | {pa['queries']} | {pb['ms']:.1f} ms | {pb['queries']} | "
              f"{growth(pa['ms'], pb['ms'])}{flag} |")
    if "sweep" in a:
        for kind in ("cold", "steady"):
            ra = [r for r in a["sweep"] if r["kind"] == kind]
            rb = [r for r in b["sweep"] if r["kind"] == kind]
            ma, mb = statistics.median(r["ms"] for r in ra), statistics.median(r["ms"] for r in rb)
            extra = f" ({rb[0]['alerts']:,} alerts, {rb[0]['deliveries']:,} deliveries)" if kind == "cold" else ""
            print(f"| sweep, {kind}{extra} | {ma:.0f} ms | {ra[0]['queries']} | {mb:.0f} ms | {rb[0]['queries']} | "
                  f"{growth(ma, mb)} |")
    print(f"\n'!' marks a path over {GOALS_MS} ms at {large:,} or whose query count changed.")

    if not args.no_throughput:
        url = db_url(base, large)
        t = throughput(url, env, b["case"], args.requests, args.seconds)
        print(f"\nThroughput under gunicorn (2 sync workers, 127.0.0.1, {large:,} applications; "
              f"at most {args.requests:,} requests or {args.seconds:.0f} s per URL, 4 client threads)")
        for label, r in t.items():
            print(f"  {label:<12} {r['rps']:8.1f} req/s  ({r['ok']:,} ok, {r['errors']} errors, {r['seconds']:.1f} s)")
        ratio = t["API detail"]["rps"] / t["/healthz"]["rps"] if t["/healthz"]["rps"] else 0
        print(f"  ratio        {ratio:.0%} of /healthz (goal: at least 40%)")


if __name__ == "__main__":
    main()
