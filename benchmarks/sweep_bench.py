"""Benchmark: the deadline sweep (``notifications.sweep.deadlines_sweep``) at 100,000 open cases.

Run from the repository root, against a PostgreSQL database of its own (it is wiped)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sweepbench \\
        .venv/bin/python benchmarks/sweep_bench.py [--cases 100000]

What it does:

1. Creates the database if it is missing and migrates it (reference data: groups, routes, policy
   packs, the official calendar come from the migrations).
2. Wipes earlier bench data (TRUNCATE ... CASCADE of cases, stages, clock stops, certificates,
   alerts, deliveries; the append-only trigger of the transition log is row-level, so TRUNCATE
   passes) and the bench users and enterprises.
3. Creates staff with roles in departments (reviewers, inspectors, acceptance officers, approvers,
   supervisors, directors), enterprises with a contact and one enterprise user each, then the
   cases with ``bulk_create`` in batches: each open case on route II-first in state "review" with
   three stages, technical review and QMS verification running, the decision pending. About 10% of
   the running stages have their target passed, 6% are due within 7 days (4.4% inside their
   warning lead), 3% are at statutory breach; 3% of the technical reviews are paused on a supplement request (open
   clock stop, applicant's deadline spread over -5..120 days); one approved case with a
   certificate per 100 open cases (expiry spread over five years) feeds the renewal watch.
4. At each size (default 1,000, 10,000 and --cases; the data is topped up between sizes), after
   resetting alerts and deliveries and a VACUUM ANALYZE, runs the sweep three
   times with a fixed ``today`` (2026-11-24): cold (raises every alert and delivery), then twice in
   the steady state (nothing new). Each run is timed with ``time.perf_counter`` and its queries are
   captured with ``CaptureQueriesContext``; the calendar cache is cleared before each run, so every
   run pays the two calendar queries as a fresh worker would. The count includes the BEGIN and
   COMMIT of the sweep's two transactions (4 statements).
5. Times the phases of each run by wrapping, in this process only, the sweep module's helpers
   (``_raise_stage_alerts``, ... ``_fan_out``, ``Directory``, the delivery
   transaction); names the sweep no longer has are skipped and their time shows as a gap.

Results are printed, not asserted: record them in docs/benchmarks.md. ``--profile``
adds a cProfile of one more cold sweep at the largest size.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import functools
import io
import os
import platform
import pstats
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# Run as a plain script: make the repository root importable before Django is set up.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TODAY = dt.date(2026, 11, 24)
SEED = 20261124
BATCH = 5_000  # applications per bulk_create batch (x3 stages)
BENCH = "bench-"  # prefix of the bench's users, references and enterprises

OVERDUE_SHARE = 0.10  # running stages whose target has passed
DUE_SOON_SHARE = 0.06  # running stages due within the next 7 calendar days
PAUSED_SHARE = 0.03  # technical reviews paused on a supplement request
CASES_PER_CERTIFICATE = 100
CASES_PER_ENTERPRISE = 50

STAFF = [  # (role group, department code, how many, stage kind they are assigned)
    ("审评员 Reviewer", "review", 12, "technical_review"),
    ("核查员 Inspector", "inspection", 8, "qms_verification"),
    ("受理员 Acceptance officer", "acceptance", 4, None),
    ("审批人 Approver", "approval", 4, None),
    ("检验所 Testing centre", "testing", 2, None),
    ("科室负责人 Supervisor", "review", 2, None),
    ("科室负责人 Supervisor", "inspection", 1, None),
    ("科室负责人 Supervisor", "acceptance", 1, None),
    ("科室负责人 Supervisor", "approval", 1, None),
    ("处局领导 Director", None, 2, None),
]
ENTERPRISE_GROUP = "企业注册专员 Enterprise user"


# --- set-up -----------------------------------------------------------------------------------
def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def ensure_database(force: bool) -> str:
    """Create the database named by DATABASE_URL if missing; refuse anything but a bench database."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        raise SystemExit("sweep_bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = db["NAME"]
    if "bench" not in name and not force:
        raise SystemExit(f"refusing to wipe database {name!r}: use a name containing 'bench' "
                         "(e.g. .../sweepbench) or pass --force")
    kwargs = {k: v for k, v in (("host", db.get("HOST")), ("port", db.get("PORT")),
                                ("user", db.get("USER")), ("password", db.get("PASSWORD"))) if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **kwargs) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    return name


def machine_info() -> list[tuple[str, str]]:
    from django.db import connection

    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
        cur.execute("SELECT name, setting, unit FROM pg_settings WHERE name IN "
                    "('shared_buffers', 'work_mem', 'jit', 'max_parallel_workers_per_gather') ORDER BY name")
        pg_settings = ", ".join(f"{n}={s}{'×' + u if u and u[0].isdigit() else (u or '')}"
                                for n, s, u in cur.fetchall())
    import django

    return [
        ("machine", f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), {mem} RAM"),
        ("python", f"{platform.python_version()} ({platform.python_implementation()}), "
                   f"Django {django.get_version()}"),
        ("postgresql", f"{pg} at {connection.settings_dict.get('HOST') or 'local socket'}; {pg_settings}"),
    ]


def sql(statement: str) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(statement)


def wipe() -> None:
    """Remove every case and alert (TRUNCATE ... CASCADE), then the bench's users and enterprises."""
    from django.db import connection

    from notifications.models import Alert, Delivery, OutboundEmail
    from review.models import Application, Certificate, ClockStop, Enterprise, Extension, Stage, TransitionLog, User

    tables = [m._meta.db_table for m in (Delivery, Alert, OutboundEmail, Certificate, ClockStop,
                                         Extension, TransitionLog, Stage, Application)]
    sql("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE")
    User.objects.filter(username__startswith=BENCH).delete()
    Enterprise.objects.filter(name__startswith=BENCH).delete()


def credit_code(n: int) -> str:
    from review.validators import credit_code_check_char

    first17 = f"91500000MB{n:07d}"
    return first17 + credit_code_check_char(first17)


@dataclass
class World:
    """The reference rows the cases point at, and running counts of what was generated."""

    route_id: int
    pack_id: int | None
    office_id: int
    departments: dict[str, int]
    enterprise_ids: list[int]
    assignees: dict[str, list[int]]  # stage kind -> user ids
    cases: int = 0
    certificates: int = 0
    stages: int = 0
    running: int = 0
    overdue: int = 0
    due_soon: int = 0
    paused: int = 0
    stops_within_30: int = 0


def create_people(cases: int) -> World:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from review.models import Department, Enterprise, Office, PolicyPack, Route, User

    office_id = Office.objects.default().pk  # every case and member of staff in one office
    groups = {g.name: g for g in Group.objects.all()}
    departments = dict(Department.objects.values_list("code", "pk"))
    unusable = make_password(None)
    users, memberships, assignees = [], [], {}
    n = 0
    for group, dept, count, kind in STAFF:
        for _ in range(count):
            n += 1
            users.append(User(username=f"{BENCH}staff{n}", email=f"{BENCH}staff{n}@example.gov.cn",
                              password=unusable, is_staff=True, department_id=departments.get(dept),
                              office_id=office_id,
                              language="en" if n % 3 == 0 else "zh-hans"))
            memberships.append((users[-1], groups[group]))
            if kind:
                assignees.setdefault(kind, []).append(users[-1])

    count = max(20, -(-cases // CASES_PER_ENTERPRISE))
    enterprises = Enterprise.objects.bulk_create([
        Enterprise(name=f"{BENCH}enterprise {i}", credit_code=credit_code(i), district="两江新区",
                   contact_email=f"{BENCH}contact{i}@example.com" if i % 5 else "")
        for i in range(count)
    ])
    for i, ent in enumerate(enterprises):
        users.append(User(username=f"{BENCH}ent{i}", email=f"{BENCH}ent{i}@example.com",
                          password=unusable, enterprise_id=ent.pk, language="zh-hans"))
        memberships.append((users[-1], groups[ENTERPRISE_GROUP]))
    User.objects.bulk_create(users)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=g.pk) for u, g in memberships])
    pack = (PolicyPack.objects.filter(effective_from__lte=TODAY).order_by("-effective_from").first())
    return World(
        route_id=Route.objects.get(code="II-first").pk, pack_id=pack.pk if pack else None,
        office_id=office_id, departments=departments, enterprise_ids=[e.pk for e in enterprises],
        assignees={k: [u.pk for u in v] for k, v in assignees.items()},
    )


def generate(world: World, upto: int, rng: random.Random, cal) -> None:
    """Top the open cases up to ``upto`` (and certificates to one per 100 cases)."""
    from django.db import transaction

    from review.models import Application, ClockStop, Stage
    from review.models.enums import CaseState, PauseReason, StageState

    day = dt.timedelta(days=1)
    stage_specs = [  # kind, phase, department, target WD, statutory WD, warning WD
        ("technical_review", 4, "review", 40, 60, 5),
        ("qms_verification", 4, "inspection", 20, 30, 3),
    ]
    while world.cases < upto:
        first, last = world.cases, min(upto, world.cases + BATCH)
        with transaction.atomic():
            apps = Application.objects.bulk_create([
                Application(
                    reference=f"{BENCH}{i:07d}", enterprise_id=world.enterprise_ids[i % len(world.enterprise_ids)],
                    product_name=f"Bench device {i}", device_class="II",
                    category=("passive", "active", "ivd")[i % 3], application_type="first",
                    route_id=world.route_id, policy_pack_id=world.pack_id, office_id=world.office_id,
                    state=CaseState.REVIEW, phase=4,  # FSMField(protected=True): set once, at construction
                    submitted_on=TODAY - 200 * day, accepted_on=TODAY - 120 * day,
                )
                for i in range(first, last)
            ])
            stages, paused = [], []
            for app in apps:
                for n, (kind, phase, dept, target_wd, statutory_wd, warning) in enumerate(stage_specs):
                    is_paused = n == 0 and rng.random() < PAUSED_SHARE
                    pool = world.assignees[kind]
                    stage = Stage(
                        # FSMField(protected=True): a state given to the constructor is set once,
                        # which the field allows; assigning it afterwards raises AttributeError.
                        state=StageState.PAUSED if is_paused else StageState.RUNNING,
                        application_id=app.pk, kind=kind, phase=phase,
                        department_id=world.departments[dept],
                        assignee_id=pool[rng.randrange(len(pool))] if rng.random() < 0.9 else None,
                        target_days=target_wd, statutory_days=statutory_wd,
                        original_statutory_days=statutory_wd, warning_days=warning,
                        rule_source="bench", **_deadlines(rng, cal, target_wd),
                    )
                    if is_paused:
                        paused.append(stage)
                        world.paused += 1
                    else:
                        world.running += 1
                        world.overdue += stage.target_due < TODAY
                        world.due_soon += TODAY <= stage.target_due <= TODAY + 7 * day
                    stages.append(stage)
                stages.append(Stage(application_id=app.pk, kind="decision", phase=5,
                                    department_id=world.departments["approval"], target_days=10,
                                    statutory_days=20, state=StageState.PENDING))
            Stage.objects.bulk_create(stages)
            stops = []
            for stage in paused:
                deadline = TODAY + rng.randint(-5, 120) * day
                world.stops_within_30 += deadline <= TODAY + 30 * day
                stops.append(ClockStop(stage_id=stage.pk, reason=PauseReason.SUPPLEMENT,
                                       started_on=deadline - 365 * day, applicant_deadline=deadline,
                                       items=["检验报告"]))
            ClockStop.objects.bulk_create(stops)
            world.stages += len(stages)
            world.cases = last
            _certificates(world, last // CASES_PER_CERTIFICATE, rng)


def _deadlines(rng: random.Random, cal, target_wd: int) -> dict:
    day = dt.timedelta(days=1)
    u = rng.random()
    if u < OVERDUE_SHARE:
        target = TODAY - rng.randint(1, 45) * day
    elif u < OVERDUE_SHARE + DUE_SOON_SHARE:
        target = TODAY + rng.randint(0, 7) * day
    else:
        target = TODAY + rng.randint(8, 150) * day
    started = cal.add_working_days(target, -target_wd)
    return {"target_due": target, "statutory_due": target + rng.randint(14, 60) * day,
            "started_on": started, "clock_started_on": started}


def _certificates(world: World, upto: int, rng: random.Random) -> None:
    """Approved cases with a certificate each, for the renewal watch (not open cases)."""
    from review.models import Application, Certificate
    from review.models.enums import CaseState

    if world.certificates >= upto:
        return
    day = dt.timedelta(days=1)
    rows = range(world.certificates, upto)
    apps = Application.objects.bulk_create([
        Application(reference=f"{BENCH}C{i:06d}", enterprise_id=world.enterprise_ids[i % len(world.enterprise_ids)],
                    product_name=f"Bench certified device {i}", device_class="II", category="active",
                    application_type="first", route_id=world.route_id, policy_pack_id=world.pack_id,
                    office_id=world.office_id, state=CaseState.APPROVED, phase=6, submitted_on=TODAY - 2000 * day,
                    accepted_on=TODAY - 1900 * day, closed_on=TODAY - 1800 * day)
        for i in rows
    ])
    certs = []
    for i, app in zip(rows, apps, strict=True):
        expires = TODAY + rng.randint(-20, 5 * 365) * day
        kind = Certificate.Kind.LICENCE if i % 4 == 0 else Certificate.Kind.REGISTRATION
        certs.append(Certificate(application_id=app.pk, enterprise_id=app.enterprise_id, kind=kind,
                                 number=f"{BENCH}{kind}-{i:06d}", product_name=app.product_name,
                                 issued_on=expires - 5 * 365 * day, expires_on=expires))
    Certificate.objects.bulk_create(certs)
    world.certificates = upto


def reset_sweep_state() -> None:
    """Back to before any sweep: no alerts, no deliveries; fresh statistics."""
    from django.db import connection

    from notifications.models import Alert, Delivery
    from review.models import Stage

    q = connection.ops.quote_name
    sql(f"TRUNCATE {q(Delivery._meta.db_table)}, {q(Alert._meta.db_table)} CASCADE")
    for model in (Stage, Alert, Delivery):
        sql(f"VACUUM ANALYZE {q(model._meta.db_table)}")


# --- measuring --------------------------------------------------------------------------------
@dataclass
class Span:
    label: str
    start: float
    end: float
    q0: int
    q1: int
    depth: int


@dataclass
class Run:
    cases: int
    kind: str
    seconds: float
    queries: list[dict]
    raised: dict
    deliveries: int
    spans: list[Span] = field(default_factory=list)
    start: float = 0.0

    @property
    def sql_seconds(self) -> float:
        return sum(float(q["time"]) for q in self.queries)


class Timeline:
    """Phase spans of one sweep, with the index of the captured queries at each edge."""

    def __init__(self):
        self.ctx = None
        self.spans: list[Span] = []
        self.depth = 0

    @contextlib.contextmanager
    def span(self, label: str):
        if self.ctx is None:
            yield
            return
        t0, q0 = time.perf_counter(), len(self.ctx.captured_queries)
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            self.spans.append(Span(label, t0, time.perf_counter(), q0, len(self.ctx.captured_queries),
                                   self.depth))


TIMELINE = Timeline()
# Gaps between instrumented phases, named by the phases around them (None: start/end of parent).
GAP_NAMES = {
    (None, "stage candidates"): "calendar (2 queries, cache cleared)",
    ("renewal candidates", "fan-out"): "alert insert + raised count",
    ("fan-out", None): "return",
    (None, "recipients directory"): "read un-fanned alerts (select_related)",
    ("recipients directory", "assignees"): "collect assignee ids",
    ("assignees", "delivery insert + mark"): "build deliveries (Python)",
    ("delivery insert + mark", None): "return",
}


def instrument() -> None:
    """Wrap the sweep's helpers in phase spans, in this process only (the module is not edited)."""
    from django.db import transaction

    from notifications import sweep

    def timed(label, fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            with TIMELINE.span(label):
                return fn(*args, **kwargs)
        return inner

    for name, label in (("_raise_stage_alerts", "stage candidates"),
                        ("_applicant_alerts", "applicant candidates"),
                        ("_renewal_alerts", "renewal candidates"), ("_fan_out", "fan-out")):
        if callable(getattr(sweep, name, None)):
            setattr(sweep, name, timed(label, getattr(sweep, name)))
        else:
            print(f"note: notifications.sweep.{name} is gone; its time shows as a gap")

    directory = getattr(sweep, "Directory", None)
    if isinstance(directory, type):
        class TimedDirectory(directory):
            def __init__(self, *args, **kwargs):
                with TIMELINE.span("recipients directory"):
                    super().__init__(*args, **kwargs)

            def load_assignees(self, ids):
                with TIMELINE.span("assignees"):
                    return super().load_assignees(ids)

        sweep.Directory = TimedDirectory

    if getattr(sweep, "transaction", None) is transaction:
        class TimedAtomic:
            def __init__(self, inner):
                self.inner, self.span = inner, TIMELINE.span("delivery insert + mark")

            def __enter__(self):
                self.span.__enter__()
                return self.inner.__enter__()

            def __exit__(self, *exc):
                try:
                    return self.inner.__exit__(*exc)
                finally:
                    self.span.__exit__(None, None, None)

        class TransactionProxy:
            def __getattr__(self, name):
                return getattr(transaction, name)

            @staticmethod
            def atomic(*args, **kwargs):
                return TimedAtomic(transaction.atomic(*args, **kwargs))

        sweep.transaction = TransactionProxy()


def sweep_once(cases: int, kind: str) -> Run:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications import sweep
    from review.selectors import calendar_cache_clear

    calendar_cache_clear()
    TIMELINE.spans = []
    with CaptureQueriesContext(connection) as ctx:
        TIMELINE.ctx = ctx
        start = time.perf_counter()
        result = sweep.deadlines_sweep(today=TODAY)
        seconds = time.perf_counter() - start
    TIMELINE.ctx = None
    return Run(cases, kind, seconds, list(ctx.captured_queries), dict(result.raised), result.deliveries,
               spans=list(TIMELINE.spans), start=start)


def phases(run: Run) -> list[tuple[int, str, float, int, float]]:
    """(depth, label, seconds, queries, sql seconds) in call order, gaps included."""

    def sql_time(q0, q1):
        return sum(float(q["time"]) for q in run.queries[q0:q1])

    def walk(children, start, end, q0, q1, depth, parent_label):
        out, prev, t, q = [], None, start, q0
        for s in sorted(children, key=lambda s: s.start):
            if s.start - t > 0.002 or s.q0 > q:
                name = GAP_NAMES.get((prev, s.label), f"between {prev or parent_label} and {s.label}")
                out.append((depth, name, s.start - t, s.q0 - q, sql_time(q, s.q0)))
            out.append((depth, s.label, s.end - s.start, s.q1 - s.q0, sql_time(s.q0, s.q1)))
            inner = [c for c in run.spans if c.depth == s.depth + 1 and s.start <= c.start and c.end <= s.end]
            if inner:
                out += walk(inner, s.start, s.end, s.q0, s.q1, depth + 1, s.label)
            prev, t, q = s.label, s.end, s.q1
        if end - t > 0.002 or q1 > q:
            name = GAP_NAMES.get((prev, None), f"after {prev}")
            out.append((depth, name, end - t, q1 - q, sql_time(q, q1)))
        return out

    top = [s for s in run.spans if s.depth == 0]
    return walk(top, run.start, run.start + run.seconds, 0, len(run.queries), 0, "start")


def counts() -> tuple[int, int, int]:
    from notifications.models import Alert, Delivery
    from review.deadlines import past_statutory_q, past_target_q
    from review.models import Stage

    late = Stage.objects.filter(past_target_q(TODAY) | past_statutory_q(TODAY))
    return Alert.objects.count(), Delivery.objects.count(), late.count()


# --- reporting --------------------------------------------------------------------------------
def fmt_s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def print_results(runs: list[Run], stages_at: dict[int, int]) -> None:
    print("\nResults (today = 2026-11-24)")
    head = (f"| {'open cases':>10} | {'stages':>8} | {'sweep':<8} | {'time':>8} | {'SQL time':>8} | "
            f"{'queries':>7} | {'new alerts':>10} | {'deliveries':>10} |")
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for r in runs:
        print(f"| {r.cases:>10,} | {stages_at[r.cases]:>8,} | {r.kind:<8} | {fmt_s(r.seconds):>8} | "
              f"{fmt_s(r.sql_seconds):>8} | {len(r.queries):>7} | {sum(r.raised.values()):>10,} | "
              f"{r.deliveries:>10,} |")


def print_goals(runs: list[Run]) -> None:
    """The sweep's goals (docs/benchmarks.md#deadline-sweep-at-100000-cases): queries do not grow
    with the cases; under 5 s at the largest size."""
    print("\nGoals")
    for kind in ("cold", "steady"):
        by_size = {}
        for r in runs:
            if r.kind == kind:
                by_size.setdefault(r.cases, set()).add(len(r.queries))
        seen = set().union(*by_size.values()) if by_size else set()
        verdict = "constant" if len(seen) == 1 else "GROWS"
        print(f"  queries, {kind:<6}  {', '.join(f'{n:,}: {sorted(c)}' for n, c in by_size.items())}"
              f" -> {verdict}")
    largest = max(r.cases for r in runs)
    for kind in ("cold", "steady"):
        times = [r.seconds for r in runs if r.cases == largest and r.kind == kind]
        if times:
            worst = max(times)
            print(f"  time at {largest:,}, {kind:<6} {fmt_s(worst)} (worst of {len(times)}) -> "
                  f"{'under' if worst < 5 else 'OVER'} the 5 s goal")


def print_phases(run: Run, show_queries: bool) -> None:
    print(f"\nPhases of the {run.kind} sweep at {run.cases:,} cases "
          f"(total {fmt_s(run.seconds)}, {len(run.queries)} queries):")
    print(f"  {'phase':<44} {'time':>9} {'queries':>7} {'of which SQL':>12}")
    for depth, label, seconds, n, sql_seconds in phases(run):
        print(f"  {'  ' * depth + label:<44} {fmt_s(seconds):>9} {n:>7} {fmt_s(sql_seconds):>12}")
    if show_queries:
        for i, q in enumerate(run.queries, 1):
            text = " ".join(q["sql"].split())
            print(f"    {i:2}. {float(q['time']):7.3f} s  {text[:150]}{'...' if len(text) > 150 else ''}")


def profile_cold(cases: int, top: int) -> None:
    from notifications import sweep
    from review.selectors import calendar_cache_clear

    reset_sweep_state()
    calendar_cache_clear()
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    sweep.deadlines_sweep(today=TODAY)
    profiler.disable()
    seconds = time.perf_counter() - start
    print(f"\ncProfile of one more cold sweep at {cases:,} cases: {fmt_s(seconds)} under the profiler")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        text = out.getvalue()
        print(f"--- by {order} ---")
        print(text[text.find("   ncalls"):].rstrip())


# --- main -------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="open applications (largest size)")
    parser.add_argument("--sizes", help="comma-separated sizes to measure, ascending "
                                        "(default: 1000,10000 below --cases, then --cases)")
    parser.add_argument("--steady", type=int, default=2, help="steady-state sweeps after the cold one")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the data of a previous run with the same --cases (measures --cases only)")
    parser.add_argument("--profile", action="store_true", help="cProfile one more cold sweep at the end")
    parser.add_argument("--show-queries", action="store_true", help="list the SQL of every measured sweep")
    parser.add_argument("--force", action="store_true", help="allow a database whose name lacks 'bench'")
    args = parser.parse_args()
    sizes = ([int(s) for s in args.sizes.split(",")] if args.sizes
             else [s for s in (1_000, 10_000) if s < args.cases] + [args.cases])
    if sizes != sorted(set(sizes)) or sizes[-1] != args.cases:
        parser.error("--sizes must be ascending and end with --cases")

    django_setup()
    name = ensure_database(args.force)
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Deadline sweep benchmark: database {name}, migrated in {fmt_s(time.perf_counter() - started)}")
    for label, value in machine_info():
        print(f"{label:<12}{value}")
    instrument()

    from review.models import Application, Stage
    from review.selectors import calendar_current

    runs: list[Run] = []
    stages_at: dict[int, int] = {}
    reuse = args.reuse and Application.objects.filter(state="review").count() == args.cases
    if args.reuse and not reuse:
        print(f"--reuse: the database does not hold {args.cases:,} open bench cases; generating")
    if reuse:
        sizes = [args.cases]
        stages_at[args.cases] = Stage.objects.count()
        print(f"reusing {args.cases:,} open cases, {stages_at[args.cases]:,} stages")
    else:
        started = time.perf_counter()
        wipe()
        world = create_people(args.cases)
        print(f"wiped and created {sum(c for *_, c, _ in STAFF)} staff, "
              f"{len(world.enterprise_ids):,} enterprises with one user each "
              f"in {fmt_s(time.perf_counter() - started)}")
        rng = random.Random(SEED)
        cal = calendar_current()
    for size in sizes:
        if not reuse:
            started = time.perf_counter()
            generate(world, size, rng, cal)
            sql("ANALYZE")
            stages_at[size] = world.stages
            print(f"\n{size:,} open cases: {world.stages:,} stages ({world.running:,} running, "
                  f"{world.overdue:,} = {world.overdue / world.running:.1%} of them past target, "
                  f"{world.due_soon:,} due within 7 days; {world.paused:,} paused, "
                  f"{world.stops_within_30:,} applicant deadlines within 30 days), "
                  f"{world.certificates:,} certificates; generated in {fmt_s(time.perf_counter() - started)}")
        reset_sweep_state()
        for kind in ["cold"] + ["steady"] * args.steady:
            run = sweep_once(size, kind)
            runs.append(run)
            alerts, deliveries, overdue = counts()
            print(f"  {kind:<7} {fmt_s(run.seconds):>8}, {len(run.queries):>3} queries, "
                  f"raised {run.raised or '{}'}, {run.deliveries:,} deliveries; "
                  f"in the database: {alerts:,} alerts, {deliveries:,} "
                  f"deliveries, {overdue:,} stages flagged overdue")
            if kind == "cold" and not reuse and overdue != world.overdue:
                print(f"  !! expected {world.overdue:,} overdue stages, found {overdue:,}")

    print_results(runs, stages_at)
    print_goals(runs)
    shown = {}
    for r in runs:  # every cold sweep, and the first steady one at the largest size
        if r.kind == "cold" or (r.cases == sizes[-1] and r.kind == "steady" and "steady" not in shown):
            shown[r.kind] = True
            print_phases(r, args.show_queries)
    if args.profile:
        profile_cold(sizes[-1], 30)


if __name__ == "__main__":
    main()
