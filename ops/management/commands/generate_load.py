"""A realistic data set for load tests and benchmarks: ``manage.py generate_load --applications N``.

A data generator, not an interface: it writes rows directly with ``bulk_create`` (house rule
"only services write" is for the product; here the services could not build 100,000 cases in
minutes). The states stay consistent with the workflow's invariants because nothing is invented
row by row:

1. **Templates through the services.** About seventy cases are built by ``services.workflow`` and
   ``services.documents`` with back-dated ``today`` values (the ``seed_demo`` scenarios, run at
   three ages): every route (Class II first/change/renewal, Class III, production licence,
   testing, pre-submission, parallel licence), every case state (intent, each phase, suspended,
   approved, refused, withdrawn, terminated), pauses (supplement, answered supplements with
   documents, missing items), extensions, the transition log and certificates. So each template's
   stages, clocks, pauses, deadlines and log are what the workflow itself wrote.
2. **Clones in bulk.** Each of the N applications is a copy of one template (round robin) with its
   own reference (``<office code>LD<number>``), enterprise, office and product: the case, its
   stages, clock stops, extensions, documents (pointing at the template's stored file), log rows
   and certificates, every column copied from the template's rows. On PostgreSQL by
   ``INSERT ... SELECT`` from the template rows, 20,000 cases a transaction (no Python per row;
   from 50,000 cases on an empty table the secondary indexes are built once at the end); elsewhere
   (and for ``ops/load_history.py``) ids allocated up front and rows written with ``COPY`` or
   ``bulk_create``. Dates are the template's, so every deadline is one the calendar really
   produced: clones of one template share their dates, so a dashboard's "this year" holds far more
   of the cases than a real office's year would. The issued documents (``notices``, each with its
   signed PDF) are not cloned (docs/deployment.md#table-growth).
3. **Alerts** come from the real deadline sweep (``notifications.sweep.deadlines_sweep``), run
   once at the end (``--no-sweep`` skips it), then ``ANALYZE``.

People, as in real use:

- **Offices** (``--offices N``): the default office, then provinces' (``PROVINCES``). The
  enterprises are spread evenly over their regions (a credit code with the province's division
  code), each case goes to the office ``Office.objects.for_credit_code`` routes its enterprise to,
  as in the product, and its staff and officers are that office's;
- **Enterprises** (one per 50 cases, at least 20) spread over Chongqing's district names and parks, each
  with one enterprise user (so a benchmark can spread its API tokens over many callers, as real
  integrations are, instead of running into one caller's rate limit);
- **staff** in every role, the working roles (acceptance, review, inspection, testing, approval)
  one set per 20,000 applications (12 reviewers, 8 inspectors, ... each), supervisors and
  directors a fixed few (every statutory alert goes to each of them);
- **assigned stages**: every started stage (running, paused, done) of a clone is held by a staff
  member whose role handles its kind (``review.permissions.STAGE_KIND_PERMISSION``), chosen at
  random among them, 10% left unassigned in the department's queue; pending and skipped stages
  are nobody's yet. So "my work" and the dashboards see the load a real officer carries;
- **industry officers** (``产业部门 Industry officer``): one per district, and one per park.

Generated users start with ``load-``,
clones' references with ``LD`` (the templates keep the references the workflow gave them);
``--wipe`` removes every case and the earlier load users and enterprises first (TRUNCATE of
the case tables: refused unless the database name contains ``bench`` or ``load``, or
``--force``). Never run it on a production database.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections import defaultdict

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from notifications.emails import case_emails_suppressed
from ops.management.commands.seed_demo import PRODUCTS, SCENARIOS
from ops.management.commands.seed_demo import Command as SeedDemo
from review.models import (
    Application,
    Certificate,
    ClockStop,
    Department,
    Enterprise,
    Extension,
    Office,
    Stage,
    SupplementDocument,
    TransitionLog,
    User,
)
from review.permissions import STAGE_KIND_PERMISSION
from review.selectors import calendar_current
from review.validators import credit_code_check_char
from services import documents, workflow

PREFIX = "LD"  # references of generated cases
USER_PREFIX = "load-"
CASES_PER_ENTERPRISE = 50
BATCH = 2_000  # cloned applications per transaction (the COPY path: SQLite, ops/load_history.py)
SQL_BATCH = 20_000  # cloned applications per transaction of INSERT ... SELECT (PostgreSQL)
DEFER_INDEXES_FROM = 50_000  # cases from which the secondary indexes are built after the load
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DISTRICTS = [  # (district, parks)
    ("两江新区", ["水土高新园", "龙兴园区", "鱼复园区"]), ("渝北区", ["空港工业园", "仙桃数据谷"]),
    ("沙坪坝区", ["西永微电园"]), ("九龙坡区", ["重庆高新区", "西彭园区"]), ("巴南区", ["重庆国际生物城"]),
    ("北碚区", ["蔡家组团"]), ("江北区", [""]), ("南岸区", ["茶园新区"]), ("涪陵区", ["涪陵高新区"]),
    ("永川区", ["凤凰湖产业园"]),
]
MODELS = ["A1", "B2", "C3", "X-100", "S-200", "Pro", "Lite", "M", "Plus", "II"]
STAFF = [  # (seed_demo key, group, department code, how many per STAFF_SCALE applications; fixed if False)
    ("acceptance", "受理员 Acceptance officer", "acceptance", 4, True),
    ("reviewer", "审评员 Reviewer", "review", 12, True),
    ("inspector", "核查员 Inspector", "inspection", 8, True),
    ("tester", "检验所 Testing centre", "testing", 2, True),
    ("approver", "审批人 Approver", "approval", 4, True),
    ("supervisor", "科室负责人 Supervisor", "review", 3, False),
    ("director", "处局领导 Director", None, 2, False),
]
STAFF_SCALE = 20_000  # applications per set of working staff (a generator's default, not a measured ratio)
# The role that handles each permission of review.permissions.STAGE_KIND_PERMISSION.
ROLE_OF_PERMISSION = {"review.accept_application": "acceptance", "review.review_application": "reviewer",
                      "review.test_application": "tester", "review.inspect_application": "inspector",
                      "review.decide_application": "approver"}
ASSIGNED_STATES = ("running", "paused", "done")  # started stages: someone took them
ENTERPRISE_GROUP = "企业注册专员 Enterprise user"
OFFICER_GROUP = "产业部门 Industry officer"
CLONED = [Application, Stage, ClockStop, Extension, SupplementDocument, TransitionLog, Certificate]
# (table, columns): the indexes the clone's INSERT ... SELECT reads the template rows by.
KEEP_INDEXED = {(Stage._meta.db_table, ("application_id",)), (ClockStop._meta.db_table, ("stage_id",)),
                (SupplementDocument._meta.db_table, ("clock_stop_id",)), (Extension._meta.db_table, ("stage_id",)),
                (TransitionLog._meta.db_table, ("application_id",)), (Certificate._meta.db_table, ("application_id",))}


# --offices N: the offices after the default one, (code, short name, GB/T 2260 province code). The
# two letters are the provinces' ISO 3166-2:CN codes; the division code is what characters 3-8 of
# an enterprise's credit code start with (GB 32100-2015 §4.3), so cases route by it.
PROVINCES = [
    ("BJ", "北京", "11"), ("TJ", "天津", "12"), ("HE", "河北", "13"), ("SX", "山西", "14"), ("NM", "内蒙古", "15"),
    ("LN", "辽宁", "21"), ("JL", "吉林", "22"), ("HL", "黑龙江", "23"), ("SH", "上海", "31"), ("JS", "江苏", "32"),
    ("ZJ", "浙江", "33"), ("AH", "安徽", "34"), ("FJ", "福建", "35"), ("JX", "江西", "36"), ("SD", "山东", "37"),
    ("HA", "河南", "41"), ("HB", "湖北", "42"), ("HN", "湖南", "43"), ("GD", "广东", "44"), ("GX", "广西", "45"),
    ("HI", "海南", "46"), ("CQ", "重庆", "50"), ("SC", "四川", "51"), ("GZ", "贵州", "52"), ("YN", "云南", "53"),
    ("XZ", "西藏", "54"), ("SN", "陕西", "61"), ("GS", "甘肃", "62"), ("QH", "青海", "63"), ("NX", "宁夏", "64"),
    ("XJ", "新疆", "65"),
]
CLONE_REFERENCE = r"^[A-Z]{0,6}LD[0-9]{8}$"  # <office code>LD<number>: a clone's reference


def credit_code(n: int, division: str = "500000") -> str:
    """A valid credit code of a generated enterprise registered in ``division``."""
    first17 = f"91{division}MC{n:07d}"
    return first17 + credit_code_check_char(first17)


def is_load_enterprise():
    """The generator's enterprises, whatever their region: their contact address says so."""
    from django.db.models import Q

    return Q(contact_email__startswith=f"{USER_PREFIX}ent")


class Command(BaseCommand):
    help = "Generate N realistic applications in bulk (templates built by the services, then cloned)."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, required=True, help="how many applications")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--wipe", action="store_true", help="remove earlier cases and load data first")
        parser.add_argument("--force", action="store_true", help="allow --wipe on any database name")
        parser.add_argument("--no-sweep", action="store_true", help="do not run the deadline sweep at the end")
        parser.add_argument("--history-years", type=float, default=0,
                            help="instead of clones, cases submitted over this many years up to today, each "
                                 "template's route re-timed with varied durations (ops/load_history.py)")
        parser.add_argument("--offices", type=int, default=1,
                            help="offices the cases are spread over (the default office, then provinces: "
                                 "enterprises registered in each one's region, cases routed to it by credit code)")
        parser.add_argument("--rounds", type=int, default=3, choices=[1, 2, 3],
                            help="template rounds (the scenarios at 1-3 ages; fewer is faster)")

    def handle(self, *args, applications: int, seed: int, wipe: bool, force: bool, no_sweep: bool,
               rounds: int = 3, history_years: float = 0, offices: int = 1, **options):
        if applications < 1:
            raise CommandError("--applications: give a positive number of applications.")
        if not 1 <= offices <= len(PROVINCES):
            raise CommandError(f"--offices: give a number from 1 to {len(PROVINCES)}.")
        if offices > 1 and history_years:
            raise CommandError("--offices: history cases (--history-years) are written for the default office "
                               "only; leave out one of the two.")
        started = time.perf_counter()
        self.rng = random.Random(seed)
        self._bases = {}
        if connection.vendor == "postgresql":
            # A generator's rows need no flush to disk at each commit (the templates' services commit
            # thousands of times); this session only, the server's setting is untouched.
            with connection.cursor() as cur:
                cur.execute("SET synchronous_commit TO OFF")
        if wipe:
            self._wipe(force)
        if connection.vendor == "postgresql":
            # Fresh statistics before the templates: on a large table never analysed (a top-up of a
            # bulk load) the log chain's "last row of this case" plans as a backward scan of the
            # whole log, seconds per new case.
            with connection.cursor() as cur:
                cur.execute("ANALYZE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in CLONED))
        self.offices = self._offices(offices)
        self.default_office = self.offices[0]
        scale = max(1, round(applications / offices / STAFF_SCALE))
        self.staff, self.pools = {}, {}
        for office in self.offices:
            staff, by_role = self._staff(scale, office)
            self.staff.update(staff)
            self.pools[office.pk] = by_role
        self.by_role = self.pools[self.default_office.pk]  # the templates' actors (ops/load_history.py too)
        self._officers()
        self.enterprises = self._enterprises(max(20, offices, -(-applications // CASES_PER_ENTERPRISE)))
        with case_emails_suppressed():
            templates = self._templates(rounds)
        self._say(f"{len(templates)} template cases built through the workflow services "
                  f"({time.perf_counter() - started:.1f} s)")
        if history_years:
            from ops.load_history import write_history

            write_history(self, templates, applications, history_years)
        elif connection.vendor == "postgresql":
            with self._indexes_deferred(applications):
                self._clone_all_sql(templates, applications)
        else:
            self._clone_all(templates, applications)
        if not no_sweep:
            from notifications.sweep import deadlines_sweep

            t0 = time.perf_counter()
            result = deadlines_sweep(today=timezone.localdate())
            self._say(f"deadline sweep: {sum(result.raised.values()):,} alerts, {result.deliveries:,} "
                      f"deliveries ({time.perf_counter() - t0:.1f} s)")
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(
            f"Generated {applications:,} applications in {time.perf_counter() - started:.1f} s."))

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    # --- people ------------------------------------------------------------------------------
    def _wipe(self, force: bool) -> None:
        name = connection.settings_dict["NAME"]
        if not force and "bench" not in str(name) and "load" not in str(name):
            raise CommandError(f"--wipe: refusing to empty database {name!r}; use a database whose name "
                               "contains 'bench' or 'load', or pass --force.")
        from kpi.models import StageMonth, SummaryMonth
        from notifications.models import Alert, Delivery, OutboundEmail

        # The dashboard's summaries too: built over the cases wiped, they would be read as current.
        models = [Delivery, Alert, OutboundEmail, SupplementDocument, Certificate, ClockStop, Extension,
                  TransitionLog, Stage, Application, StageMonth, SummaryMonth]
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
                            + " CASCADE")
        else:  # SQLite: the log refuses delete(); raw SQL is the generator's privilege
            with connection.cursor() as cur:
                for m in models:
                    cur.execute(f"DELETE FROM {connection.ops.quote_name(m._meta.db_table)}")
        User.objects.filter(username__startswith=USER_PREFIX).delete()
        Enterprise.objects.filter(is_load_enterprise()).delete()

    def _offices(self, n: int) -> list[Office]:
        """The default office, then ``n - 1`` provincial ones (made if missing, found by code)."""
        default = Office.objects.default()
        offices = [default]
        for code, name, division in PROVINCES:
            if len(offices) == n:
                break
            if code == default.code:
                continue
            office, _ = Office.objects.get_or_create(code=code, defaults={
                "name": f"{name}药品监督管理局", "division_codes": division,
                # The clones keep their templates' policy packs, which are the default office's.
                "jurisdiction": default.jurisdiction,
                "notice_number_pattern": f"{name}药监械{{code}}〔{{year}}〕{{seq:04d}}号",
                "reconsideration_body": f"{name}人民政府"})
            offices.append(office)
        return offices

    def _staff(self, scale: int, office: Office):
        groups = {g.name: g for g in Group.objects.all()}
        departments = dict(Department.objects.values_list("code", "pk"))
        unusable = make_password(None)
        users, by_role, n = [], defaultdict(list), User.objects.filter(username__startswith=USER_PREFIX).count()
        for role, group, dept, count, scaled in STAFF:
            for _ in range(count * scale if scaled else count):
                n += 1
                user = User(username=f"{USER_PREFIX}{role}{n}", email=f"{USER_PREFIX}{role}{n}@example.gov.cn",
                            password=unusable, is_staff=True, department_id=departments.get(dept), office=office,
                            first_name=f"{role} {n}")
                users.append((user, groups[group]))
                by_role[role].append(user)
        User.objects.bulk_create([u for u, _ in users])
        User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=g.pk) for u, g in users])
        fresh = {u.pk: u for u in User.objects.filter(pk__in=[u.pk for u, _ in users])}
        return fresh, {role: [fresh[u.pk] for u in people] for role, people in by_role.items()}

    def _officers(self) -> None:
        """Industry officers: one per district (the whole district) and one per park."""
        group = Group.objects.get(name=OFFICER_GROUP)
        unusable = make_password(None)
        rows, first = [], User.objects.filter(username__startswith=f"{USER_PREFIX}officer").count()
        for office, district, parks in ((o, d, p) for o in self.offices for d, p in DISTRICTS):
            for park in ["", *[p for p in parks if p]]:
                k = first + len(rows)
                rows.append(User(username=f"{USER_PREFIX}officer{k}", email=f"{USER_PREFIX}officer{k}@example.gov.cn",
                                 password=unusable, district=district, park=park, office=office,
                                 first_name=f"{district}{park}产业局" if park else f"{district}产业局"))
        users = User.objects.bulk_create(rows)
        User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=group.pk) for u in users])

    def _enterprises(self, count: int) -> list[tuple[Enterprise, User]]:
        """``count`` enterprises, one user each, spread evenly over the offices' regions: each is
        registered in its office's division (its credit code says so), and its cases go to the
        office ``Office.objects.for_credit_code`` routes that code to, as the product routes them."""
        start = Enterprise.objects.filter(is_load_enterprise()).count()
        names = {code: name for code, name, _division in PROVINCES}
        rows = []
        for i in range(start, start + count):
            office = self.offices[i % len(self.offices)]
            division = (office.division_prefixes or ["50"])[0].ljust(6, "0")
            district, parks = DISTRICTS[i % len(DISTRICTS)]
            rows.append(Enterprise(name=f"{names.get(office.code, office.name[:2])}"
                                        f"{['康', '瑞', '华', '博', '安', '泰', '恒', '联'][i % 8]}"
                                        f"{['医疗', '生物', '医学', '健康'][i // 8 % 4]}科技有限公司{i}号",
                                   credit_code=credit_code(i, division), district=district,
                                   park=parks[i % len(parks)], contact_email=f"{USER_PREFIX}ent{i}@example.com"))
        enterprises = Enterprise.objects.bulk_create(rows)
        routed = {}
        self.office_of = {}
        for e in enterprises:
            division = e.credit_code[2:8]
            if division not in routed:
                routed[division] = Office.objects.for_credit_code(e.credit_code)
            self.office_of[e.pk] = routed[division].pk
        group = Group.objects.get(name=ENTERPRISE_GROUP)
        users = User.objects.bulk_create([
            User(username=f"{USER_PREFIX}ent{start + k}", email=e.contact_email, password=make_password(None),
                 enterprise_id=e.pk, first_name=e.name) for k, e in enumerate(enterprises)])
        User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=group.pk) for u in users])
        self._say(f"{len(enterprises):,} enterprises in {len(DISTRICTS)} districts, one user each; "
                  f"{len(self.staff):,} staff in {len(self.offices)} office(s)")
        return list(zip(enterprises, User.objects.filter(pk__in=[u.pk for u in users]).order_by("pk"), strict=True))

    # --- templates (through the services) ----------------------------------------------------
    def _templates(self, rounds: int) -> list[int]:
        """The seed_demo scenarios at three ages, with their twists, plus answered supplements."""
        seed = SeedDemo()
        today = timezone.localdate()
        cal = calendar_current()
        made = []
        # The templates' actors are the default office's staff, so their enterprises are its too.
        home = [(e, u) for e, u in self.enterprises if self.office_of[e.pk] == self.default_office.pk]
        for round_no, age in list(enumerate((0.5, 1.0, 1.6)))[-rounds:]:
            for i, (cls, app_type, opts, steps, gap) in enumerate(SCENARIOS):
                enterprise, owner = home[(round_no * len(SCENARIOS) + i) % len(home)]
                users = {role: people[i % len(people)] for role, people in self.by_role.items()}
                users["enterprise-a"] = users["enterprise-b"] = owner
                product, category = PRODUCTS[i % len(PRODUCTS)]
                gap = max(1, round(gap * age))
                back = steps * gap + self.rng.randint(3, 30) if steps else self.rng.randint(1, 5)
                start = cal.add_working_days(today, -min(back, 400))
                app = workflow.application_create(
                    enterprise=enterprise, product_name=product, category=category,
                    device_class="II" if cls == "licence" else cls, application_type=app_type,
                    actor=owner, today=start, **opts)
                made.append(app.pk)
                if steps == 0:
                    continue
                workflow.application_submit(application=app, actor=owner, today=start)
                seed._advance(app, users, steps, start, gap, cal, today)
                seed._twist(app, users, i + round_no, today)
                self._answer_supplement(app, owner, today, round_no)
        return made

    def _answer_supplement(self, app, owner, today, round_no) -> None:
        """In the last round an open supplement request is answered, with a document."""
        stop = ClockStop.objects.filter(stage__application=app, ended_on__isnull=True,
                                        reason="supplement").first()
        if stop is None or round_no != 2:
            return
        documents.supplement_answer(clock_stop=stop, actor=owner, response="已按要求一次性补正",
                                    files=[SimpleUploadedFile("补正资料.pdf", PDF)], today=today)

    # --- clones (bulk) -----------------------------------------------------------------------
    def _clone_all(self, templates: list[int], total: int) -> None:
        apps = {a.pk: a for a in Application.objects.filter(pk__in=templates)}
        stages = defaultdict(list)
        for s in Stage.objects.filter(application_id__in=templates).order_by("id"):
            stages[s.application_id].append(s)
        stops = defaultdict(list)
        for c in ClockStop.objects.filter(stage__application_id__in=templates).order_by("id"):
            stops[c.stage_id].append(c)
        docs = defaultdict(list)
        for d in SupplementDocument.objects.filter(clock_stop__stage__application_id__in=templates):
            docs[d.clock_stop_id].append(d)
        extensions = defaultdict(list)
        for e in Extension.objects.filter(stage__application_id__in=templates):
            extensions[e.stage_id].append(e)
        logs = defaultdict(list)
        for row in TransitionLog.objects.filter(application_id__in=templates).order_by("id"):
            logs[row.application_id].append(row)
        certs = defaultdict(list)
        for c in Certificate.objects.filter(application_id__in=templates):
            certs[c.application_id].append(c)
        order = [apps[pk] for pk in templates]
        first = Application.objects.filter(reference__regex=CLONE_REFERENCE).count()
        codes = dict(Office.objects.values_list("pk", "code"))
        done, t0 = 0, time.perf_counter()
        while done < total:
            n = min(BATCH, total - done)
            with transaction.atomic():
                self._clone_batch(codes, order, range(first + done, first + done + n), stages, stops, docs,
                                  extensions, logs, certs)
            done += n
            rate = done / (time.perf_counter() - t0)
            self._say(f"  {done:>9,} / {total:,} applications  {self._bar(done / total)}  "
                      f"{rate:,.0f}/s, {max(0, total - done) / rate:,.0f} s left")

    def _clone_all_sql(self, templates: list[int], total: int) -> None:
        """PostgreSQL: every clone written by ``INSERT ... SELECT`` from the template rows, in
        batches of ``SQL_BATCH`` cases, one transaction each. The same rows as ``_clone_batch``
        (every column copied from the template's row, then the keys and what makes the case its
        own overridden) without a Python object or a COPY line per row: at 1,000,000 cases the
        per-row Python of the COPY path was most of the time. Random choices (enterprise, assignee)
        come from ``random()`` after ``setseed`` of ``--seed``."""
        qn = connection.ops.quote_name
        office_codes = dict(Office.objects.values_list("pk", "code"))
        kinds = {kind: ROLE_OF_PERMISSION[perm] for kind, perm in STAGE_KIND_PERMISSION.items()}
        with connection.cursor() as cur:
            cur.execute("SELECT setseed(%s)", [(self.rng.random() * 2) - 1])
            cur.execute("""
                DROP TABLE IF EXISTS load_tpl, load_ent, load_pool, load_role, load_plan, load_smap, load_cmap;
                CREATE TEMP TABLE load_tpl (k int PRIMARY KEY, template_id bigint);
                CREATE TEMP TABLE load_ent (k int PRIMARY KEY, enterprise_id bigint, office_id bigint, code text);
                CREATE TEMP TABLE load_pool (office_id bigint, role text, idx int, user_id bigint,
                                             PRIMARY KEY (office_id, role, idx));
                CREATE TEMP TABLE load_role (kind text PRIMARY KEY, role text, n int);
                CREATE TEMP TABLE load_plan (app_id bigint PRIMARY KEY, number int, template_id bigint,
                                             enterprise_id bigint, office_id bigint, code text);
                CREATE TEMP TABLE load_smap (old_id bigint, new_id bigint, app_id bigint, office_id bigint,
                                             pick int, unassigned boolean, PRIMARY KEY (old_id, app_id));
                CREATE TEMP TABLE load_cmap (old_id bigint, new_id bigint, stage_new bigint);
            """)
            cur.executemany("INSERT INTO load_tpl VALUES (%s, %s)", list(enumerate(templates)))
            cur.executemany("INSERT INTO load_ent VALUES (%s, %s, %s, %s)", [
                (k, e.pk, self.office_of[e.pk], office_codes[self.office_of[e.pk]])
                for k, (e, _u) in enumerate(self.enterprises)])
            cur.executemany("INSERT INTO load_pool VALUES (%s, %s, %s, %s)", [
                (office_id, role, i, u.pk) for office_id, pool in self.pools.items()
                for role, people in pool.items() for i, u in enumerate(people)])
            cur.executemany("INSERT INTO load_role VALUES (%s, %s, %s)", [
                (str(kind), role, len(self.by_role[role])) for kind, role in kinds.items()])
            cur.execute("ANALYZE load_tpl; ANALYZE load_ent; ANALYZE load_pool; ANALYZE load_role")
        first = Application.objects.filter(reference__regex=CLONE_REFERENCE).count()
        now, n_tpl, n_ent = timezone.now(), len(templates), len(self.enterprises)
        product = "t.product_name || ' ' || (%(models)s::text[])[p.number %% 10 + 1] || '型'"

        def insert(model, source: str, overrides: dict, keep_id: bool = True) -> str:
            fields = [f for f in model._meta.concrete_fields if not f.generated and (keep_id or not f.primary_key)]
            cols = ", ".join(qn(f.column) for f in fields)
            exprs = ", ".join(overrides.get(f.attname, f"t.{qn(f.column)}") for f in fields)
            return f"INSERT INTO {qn(model._meta.db_table)} ({cols}) SELECT {exprs} {source}"

        seq = "nextval(pg_get_serial_sequence('{}', 'id'))".format
        statements = [
            "TRUNCATE load_plan, load_smap, load_cmap",
            # The cases: template round robin by number, an enterprise at random, its office.
            f"""INSERT INTO load_plan SELECT {seq(Application._meta.db_table)}, g.n, tp.template_id,
                       e.enterprise_id, e.office_id, e.code
                FROM (SELECT n, floor(random() * {n_ent})::int AS ek FROM generate_series(%(first)s, %(last)s) n) g
                JOIN load_tpl tp ON tp.k = g.n %% {n_tpl} JOIN load_ent e ON e.k = g.ek""",
            insert(Application, f"FROM load_plan p JOIN {qn(Application._meta.db_table)} t ON t.id = p.template_id", {
                "id": "p.app_id", "reference": f"p.code || '{PREFIX}' || lpad(p.number::text, 8, '0')",
                "enterprise_id": "p.enterprise_id", "office_id": "p.office_id", "product_name": product,
                "created_at": "%(now)s", "updated_at": "%(now)s",
                "certificate_number": "CASE WHEN t.certificate_number <> '' "
                                      "THEN t.certificate_number || '-' || p.number ELSE '' END"}),
            # The stages: new ids, and the assignee drawn now (random() evaluated once per row).
            f"""INSERT INTO load_smap SELECT s.id, {seq(Stage._meta.db_table)}, p.app_id, p.office_id,
                       floor(random() * coalesce(r.n, 1))::int, random() < 0.1
                FROM load_plan p JOIN {qn(Stage._meta.db_table)} s ON s.application_id = p.template_id
                LEFT JOIN load_role r ON r.kind = s.kind""",
            insert(Stage, f"""FROM load_smap m JOIN {qn(Stage._meta.db_table)} t ON t.id = m.old_id
                              LEFT JOIN load_role r ON r.kind = t.kind
                              LEFT JOIN load_pool u ON u.office_id = m.office_id AND u.role = r.role
                                                   AND u.idx = m.pick""", {
                "id": "m.new_id", "application_id": "m.app_id",
                "assignee_id": "CASE WHEN t.state IN (%(assigned)s) AND NOT m.unassigned THEN u.user_id END"}),
            f"""INSERT INTO load_cmap SELECT c.id, {seq(ClockStop._meta.db_table)}, m.new_id
                FROM load_smap m JOIN {qn(ClockStop._meta.db_table)} c ON c.stage_id = m.old_id""",
            insert(ClockStop, f"FROM load_cmap cm JOIN {qn(ClockStop._meta.db_table)} t ON t.id = cm.old_id",
                   {"id": "cm.new_id", "stage_id": "cm.stage_new"}),
            insert(SupplementDocument, f"""FROM load_cmap cm
                   JOIN {qn(SupplementDocument._meta.db_table)} t ON t.clock_stop_id = cm.old_id""",
                   {"clock_stop_id": "cm.new_id", "uploaded_at": "%(now)s"}, keep_id=False),
            insert(Extension, f"FROM load_smap m JOIN {qn(Extension._meta.db_table)} t ON t.stage_id = m.old_id",
                   {"stage_id": "m.new_id", "created_at": "%(now)s"}, keep_id=False),
            insert(TransitionLog, f"""FROM load_plan p JOIN {qn(TransitionLog._meta.db_table)} t
                   ON t.application_id = p.template_id
                   LEFT JOIN load_smap m ON m.old_id = t.stage_id AND m.app_id = p.app_id
                   ORDER BY p.app_id, t.id""",
                   {"application_id": "p.app_id", "at": "%(now)s", "stage_id": "m.new_id"}, keep_id=False),
            insert(Certificate, f"""FROM load_plan p JOIN {qn(Certificate._meta.db_table)} t
                   ON t.application_id = p.template_id
                   JOIN {qn(Application._meta.db_table)} a ON a.id = p.template_id""",
                   {"application_id": "p.app_id", "enterprise_id": "p.enterprise_id", "renewal_id": "NULL",
                    "number": "t.number || '-' || p.number",
                    "product_name": product.replace("t.product_name", "a.product_name")}, keep_id=False),
        ]
        params = {"now": now, "models": MODELS, "assigned": None}
        assigned = ", ".join(f"'{state}'" for state in ASSIGNED_STATES)
        statements = [x.replace("%(assigned)s", assigned) for x in statements]
        done, t0 = 0, time.perf_counter()
        while done < total:
            n = min(SQL_BATCH, total - done)
            params.update(first=first + done, last=first + done + n - 1)
            with transaction.atomic(), connection.cursor() as cur:
                for sql in statements:
                    cur.execute(sql, params)
            done += n
            rate = done / (time.perf_counter() - t0)
            self._say(f"  {done:>9,} / {total:,} applications  {self._bar(done / total)}  "
                      f"{rate:,.0f}/s, {max(0, total - done) / rate:,.0f} s left")
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS load_tpl, load_ent, load_pool, load_role, load_plan, load_smap, "
                        "load_cmap")

    @contextlib.contextmanager
    def _indexes_deferred(self, total: int):
        """For a large run (``DEFER_INDEXES_FROM`` cases or more) on PostgreSQL: drop the secondary
        indexes of the tables the clones go into, and build them again at the end from their own
        definitions (``pg_get_indexdef``): building an index once is several times cheaper than
        keeping it up to date over millions of inserted rows. Kept: the indexes of constraints
        (primary keys, unique) and the ones the clone itself reads by (``KEEP_INDEXED``). The
        definitions are printed first, so a killed run's can be rebuilt by hand. Not when the
        tables already hold more cases than the run adds (rebuilding would cost more than it saves)."""
        existing = Application.objects.count()
        if total < DEFER_INDEXES_FROM or existing > total:  # a top-up of a large table: rebuilding costs more
            yield
            return
        tables = [m._meta.db_table for m in CLONED]
        with connection.cursor() as cur:
            cur.execute("""
                SELECT ic.relname, pg_get_indexdef(i.indexrelid), c.relname,
                       array(SELECT a.attname FROM pg_attribute a
                             WHERE a.attrelid = c.oid AND a.attnum = ANY(i.indkey))
                FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
                WHERE c.relname = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""", [tables])
            dropped = [(name, sql) for name, sql, table, cols in cur.fetchall()
                       if (table, tuple(cols)) not in KEEP_INDEXED]
        self._say(f"{len(dropped)} secondary indexes dropped for the bulk load, rebuilt at the end:\n  "
                  + ";\n  ".join(sql for _name, sql in dropped) + ";")
        with connection.cursor() as cur:
            for name, _sql in dropped:
                cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        try:
            yield
        finally:
            t0 = time.perf_counter()
            with connection.cursor() as cur:
                # Inside an outer transaction (a test) the deferred foreign-key checks must run first.
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute("SET maintenance_work_mem TO '512MB'")
                for _name, sql in dropped:
                    cur.execute(sql)
            self._say(f"{len(dropped)} indexes rebuilt ({time.perf_counter() - t0:.1f} s)")

    @staticmethod
    def _bar(fraction: float, width: int = 30) -> str:
        full = int(fraction * width)
        return "[" + "#" * full + "." * (width - full) + "]"

    def _clone_batch(self, codes, order, numbers, stages, stops, docs, extensions, logs, certs) -> None:
        """One batch of clones: rows built as column dicts from the template rows (every concrete
        column copied, then the keys and what makes the case its own overridden), ids allocated
        up front so children can point at their parents, then written by ``_insert``."""
        rng, now = self.rng, timezone.now()
        plan = []  # (template, number, enterprise)
        for number in numbers:
            template = order[number % len(order)]
            enterprise, _owner = self.enterprises[rng.randrange(len(self.enterprises))]
            plan.append((template, number, enterprise))
        app_ids = _next_ids(Application, len(plan))
        apps, new_stages, new_stops, new_ext, new_docs, new_logs, new_certs = [], [], [], [], [], [], []
        stage_ids = iter(_next_ids(Stage, sum(len(stages[t.pk]) for t, _n, _e in plan)))
        stop_ids = iter(_next_ids(ClockStop, sum(len(stops[st.pk]) for t, _n, _e in plan for st in stages[t.pk])))
        for (t, number, enterprise), app_id in zip(plan, app_ids, strict=True):
            product = f"{t.product_name} {MODELS[number % len(MODELS)]}型"
            office_id = self.office_of[enterprise.pk]
            apps.append(self._clone(t, id=app_id, reference=f"{codes[office_id]}{PREFIX}{number:08d}",
                             enterprise_id=enterprise.pk, office_id=office_id,
                             product_name=product, created_at=now, updated_at=now,
                             certificate_number=f"{t.certificate_number}-{number}" if t.certificate_number else ""))
            stage_map = {}
            for st in stages[t.pk]:
                stage_id = next(stage_ids)
                stage_map[st.pk] = stage_id
                new_stages.append(self._clone(st, id=stage_id, application_id=app_id,
                                              assignee_id=self._assignee(st, office_id)))
                for c in stops[st.pk]:
                    stop_id = next(stop_ids)
                    new_stops.append(self._clone(c, id=stop_id, stage_id=stage_id))
                    new_docs += [self._clone(d, id=None, clock_stop_id=stop_id, uploaded_at=now) for d in docs[c.pk]]
                new_ext += [self._clone(e, id=None, stage_id=stage_id, created_at=now) for e in extensions[st.pk]]
            new_logs += [self._clone(r, id=None, application_id=app_id, at=now,
                              stage_id=stage_map[r.stage_id] if r.stage_id else None) for r in logs[t.pk]]
            new_certs += [self._clone(c, id=None, application_id=app_id, enterprise_id=enterprise.pk, renewal_id=None,
                               number=f"{c.number}-{number}", product_name=product) for c in certs[t.pk]]
        for model, rows in ((Application, apps), (Stage, new_stages), (ClockStop, new_stops),
                            (Extension, new_ext), (SupplementDocument, new_docs), (TransitionLog, new_logs),
                            (Certificate, new_certs)):
            _insert(model, rows)

    def _clone(self, obj, **overrides) -> dict:
        """``_row(obj, **overrides)`` with the template row's columns read once, not once per clone."""
        key = (type(obj), obj.pk)
        base = self._bases.get(key)
        if base is None:
            base = self._bases[key] = _row(obj)
        row = {**base, **overrides}
        if row.get("id", 0) is None:
            del row["id"]
        return row

    def _assignee(self, stage: Stage, office_id: int | None = None):
        """Who holds a started stage: a member of the case's office whose role handles its kind, at
        random (10% left in the department's queue). Pending and skipped stages are nobody's yet."""
        if stage.state not in ASSIGNED_STATES or self.rng.random() < 0.1:
            return None
        pool = self.pools[office_id] if office_id else self.by_role
        people = pool[ROLE_OF_PERMISSION[STAGE_KIND_PERMISSION[stage.kind]]]
        return people[self.rng.randrange(len(people))].pk


# --- bulk writing (the generator's privilege: no model methods, no services) ---------------------
def _row(obj, **overrides) -> dict:
    """Every concrete column of ``obj`` (by attname), with ``overrides``; ``id=None`` drops the id
    so the database assigns it."""
    # Generated columns (Application.priority_rank) are the database's to compute.
    row = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.generated}
    for key, value in row.items():
        if isinstance(value, FieldFile):  # a stored document: the clone points at the same file
            row[key] = value.name
    row.update(overrides)
    if row.get("id", 0) is None:
        del row["id"]
    return row


def _next_ids(model, n: int) -> list[int]:
    """``n`` fresh primary keys: from the table's sequence on PostgreSQL; on SQLite (one writer)
    after the largest id."""
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [r[0] for r in cur.fetchall()]
        cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
        last = cur.fetchone()[0]
    return list(range(last + 1, last + 1 + n))


def _insert(model, rows: list[dict]) -> None:
    """PostgreSQL: ``COPY ... FROM STDIN`` (no model instances, no per-row INSERT); elsewhere
    ``bulk_create``. Rows of one call share their keys."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**r) for r in rows], batch_size=500)
        return
    from psycopg.types.json import Jsonb

    fields = {f.attname: f for f in model._meta.concrete_fields}
    columns = list(rows[0])
    json_cols = {i for i, c in enumerate(columns) if fields[c].get_internal_type() == "JSONField"}
    names = ", ".join(connection.ops.quote_name(fields[c].column) for c in columns)
    connection.ensure_connection()
    with connection.connection.cursor() as cur:
        with cur.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for r in rows:
                values = [r[c] for c in columns]
                for i in json_cols:
                    values[i] = Jsonb(values[i])
                copy.write_row(values)
