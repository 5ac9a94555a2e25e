"""Benchmark: the paths a national deployment makes large, on a ``generate_load`` database.

Run from the repository root against a database filled by ``manage.py generate_load`` (any size;
nothing is written to it except API tokens and, with ``--throughput``, nothing else)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_100000 \\
        .venv/bin/python benchmarks/scale_bench.py [--repeat 15] [--throughput] [--explain]

What it measures, through Django's test ``Client`` (calendar cached, as in a running server),
3 warm-up requests then ``--repeat`` timed ones, the median, and the statements of one request:

- "my work": the admin start page (``/admin/``) of the supervisor with the largest department
  pool and of the reviewer holding the most open stages, and the ``review.worklist.worklist``
  selector alone for each;
- the overdue filters: the admin list (``?deadline=overdue``) and the staff API list
  (``?overdue=true``);
- the search by a two-character word (``血糖``; no trigram exists for it), admin and API, and a
  two-character word that matches nothing (``骨钉``... chosen absent from the generated names);
- the API detail of a case in review with a pause, as staff.

``--throughput``: gunicorn with 2 sync workers (production settings, bound to 127.0.0.1), 4
client processes on keep-alive connections, 15 s per URL after a warm-up: ``/healthz`` and the API
detail, requests per second and their ratio. ``--explain`` prints ``EXPLAIN ANALYZE`` of the
worklist's and the overdue filters' statements.

Results are printed, not asserted; docs/benchmarks.md records a run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ABSENT_WORD = "骨钉"  # two characters no generated product or enterprise name contains


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def people():
    from django.db.models import Count, Q

    from review.models import Application, Stage, User

    supervisors = User.objects.filter(username__startswith="load-supervisor", department__isnull=False)
    pools = {d: n for d, n in Stage.objects.filter(state__in=["running", "paused"], assignee__isnull=True)
             .values_list("department_id").annotate(n=Count("pk")).values_list("department_id", "n")}
    supervisor = max(supervisors, key=lambda u: (pools.get(u.department_id, 0), -u.pk))
    reviewer = (User.objects.filter(is_staff=True, department__isnull=False)
                .exclude(username__startswith="load-supervisor")
                .annotate(n=Count("assigned_stages", filter=Q(assigned_stages__state__in=["running", "paused"])))
                .order_by("-n", "pk").first())
    case = (Application.objects.filter(state="review", reference__startswith="LD",
                                       stages__clock_stops__isnull=False).order_by("pk").first())
    return supervisor, reviewer, case, pools.get(supervisor.department_id, 0), reviewer.n


def timed(fn, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        fn()
    with CaptureQueriesContext(connection) as captured:
        fn()
        queries = len(captured)  # now: the next request resets the connection's query log
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, min(times) * 1000, queries


def measure(repeat: int, explain: bool) -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from review.models import Application
    from review.selectors import calendar_current
    from review.worklist import worklist, worklist_queryset

    calendar_current()
    supervisor, reviewer, case, pool, held = people()
    today = timezone.localdate()
    clients = {}
    for who, user in (("supervisor", supervisor), ("reviewer", reviewer)):
        c = Client()
        c.force_login(user)
        clients[who] = c
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=supervisor)[0].key}")

    def get(client, url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return run

    sup, rev = clients["supervisor"], clients["reviewer"]
    rows = [
        (f"my work: admin start page, supervisor (pool {pool:,})", get(sup, "/admin/")),
        ("my work: worklist selector, supervisor",
         lambda: worklist(supervisor, today=today, cal=calendar_current())),
        (f"my work: admin start page, reviewer ({held:,} held)", get(rev, "/admin/")),
        ("my work: worklist selector, reviewer", lambda: worklist(reviewer, today=today, cal=calendar_current())),
        ("admin list, overdue filter", get(sup, "/admin/review/application/?deadline=overdue")),
        ("admin list, statutory limit passed", get(sup, "/admin/review/application/?deadline=breach")),
        ("API list, staff, overdue", get(api, "/api/v1/applications/?overdue=true")),
        ("admin search, 2 characters (血糖)", get(sup, "/admin/review/application/?q=血糖")),
        ("API search, 2 characters (血糖)", get(api, "/api/v1/applications/?q=血糖")),
        (f"admin search, 2 characters, no match ({ABSENT_WORD})",
         get(sup, f"/admin/review/application/?q={ABSENT_WORD}")),
        ("API detail, staff", get(api, f"/api/v1/applications/{case.pk}/")),
    ]
    print(f"{Application.objects.count():,} applications; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| path | median | best | queries |\n|---|---:|---:|---:|")
    for label, fn in rows:
        median, best, queries = timed(fn, repeat)
        print(f"| {label} | {median:.1f} ms | {best:.1f} ms | {queries} |", flush=True)
    print(json.dumps({"case": case.pk, "supervisor": supervisor.pk}))
    if explain:
        for label, qs in (("worklist, supervisor", worklist_queryset(supervisor, today=today)[:50]),
                          ("worklist, reviewer", worklist_queryset(reviewer, today=today)[:50])):
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cur:
                cur.execute("EXPLAIN ANALYZE " + sql, params)
                print(f"\n-- {label}\n" + "\n".join(r[0] for r in cur.fetchall()))


# --- throughput ------------------------------------------------------------------------------------
def _client(port, path, headers, seconds, out):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    ok = errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            ok += response.status == 200
            errors += response.status != 200
        except OSError:
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    out.put((ok, errors))


def load(port, path, headers, seconds, clients=4):
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_client, args=(port, path, headers, seconds, out)) for _ in range(clients)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    seconds = time.perf_counter() - t0
    ok = sum(r[0] for r in results)
    return {"ok": ok, "errors": sum(r[1] for r in results), "rps": ok / seconds}


def throughput(case: int, user_id: int, seconds: float) -> None:
    from rest_framework.authtoken.models import Token

    key = Token.objects.get_or_create(user_id=user_id)[0].key
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(40), "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_LOG_LEVEL": "WARNING",
           "SITE_URL": "http://127.0.0.1", "EMAIL_URL": os.environ.get("EMAIL_URL", "smtp://127.0.0.1:25"),
           # any PEM pair will do: the detail signs nothing (the demo CA's, made by the tests or the demo)
           "NOTICE_SIGNING_KEY": os.environ.get("NOTICE_SIGNING_KEY", str(ROOT / "var/demo-ca/signing-key.pem")),
           "NOTICE_SIGNING_CERT": os.environ.get("NOTICE_SIGNING_CERT", str(ROOT / "var/demo-ca/signing-cert.pem"))}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--workers", "2",
                               "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        auth = {"Authorization": f"Token {key}", "Host": "127.0.0.1"}
        rates = {}
        for label, path, headers in (("/healthz", "/healthz", {"Host": "127.0.0.1"}),
                                     ("API detail", f"/api/v1/applications/{case}/", auth)):
            load(port, path, headers, 2)  # warm both workers
            rates[label] = r = load(port, path, headers, seconds)
            print(f"  {label:<12} {r['rps']:8.1f} req/s  ({r['ok']:,} ok, {r['errors']} errors)", flush=True)
        if rates["/healthz"]["rps"]:
            print(f"  ratio        {rates['API detail']['rps'] / rates['/healthz']['rps']:.0%} of /healthz")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--throughput", action="store_true")
    parser.add_argument("--only-throughput", action="store_true")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    setup()
    if not args.only_throughput:
        measure(args.repeat, args.explain)
    if args.throughput or args.only_throughput:
        supervisor, _reviewer, case, _pool, _held = people()
        throughput(case.pk, supervisor.pk, args.seconds)


if __name__ == "__main__":
    main()
