"""Demo data: two offices (Chongqing, the default, and Shanghai), users for every role, enterprises
with about fifty cases in every state, and a national reader.

Idempotent: users are (re)created with the demo password; cases are built only once, through the
workflow services with back-dated ``today`` values, so their history, clocks and log are real.
Demo passwords exist only here, never in settings.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from notifications.emails import case_emails_suppressed
from review.models import Application, Certificate, Department, Enterprise, Office, User
from review.models.enums import Outcome, StageKind, StageState
from review.selectors import calendar_current
from review.validators import credit_code_check_char
from services import documents, workflow

PASSWORD = "demo-pass-2026"

STAFF = [
    # username, group, department, full name
    ("acceptance", "受理员 Acceptance officer", "acceptance", "受理员 王静"),
    ("reviewer", "审评员 Reviewer", "review", "审评员 李明"),
    ("inspector", "核查员 Inspector", "inspection", "核查员 张强"),
    ("tester", "检验所 Testing centre", "testing", "检验员 赵敏"),
    ("approver", "审批人 Approver", "approval", "审批人 陈刚"),
    ("supervisor", "科室负责人 Supervisor", "review", "科长 刘洋"),
    ("director", "处局领导 Director", None, "处长 周华"),
]
# The demo's second office (docs/offices.md): its own staff, numbering and packs. Its cases come
# from an enterprise whose credit code carries Shanghai's division code (31).
SHANGHAI = {"name": "上海市药品监督管理局", "jurisdiction": "SH", "division_codes": "31",
            "notice_number_pattern": "沪药监械{code}〔{year}〕{seq:04d}号",
            "reconsideration_body": "上海市人民政府", "contact_department": "医疗器械注册受理窗口（演示）",
            "contact_phone": "021-0000 0000（演示）", "contact_hours": "工作日 9:00–17:00（演示）"}
SH_STAFF = [
    ("sh-acceptance", "受理员 Acceptance officer", "acceptance", "受理员 沈佳"),
    ("sh-reviewer", "审评员 Reviewer", "review", "审评员 陆伟"),
    ("sh-inspector", "核查员 Inspector", "inspection", "核查员 顾磊"),
    ("sh-tester", "检验所 Testing centre", "testing", "检验员 朱琳"),
    ("sh-approver", "审批人 Approver", "approval", "审批人 蒋勇"),
    ("sh-supervisor", "科室负责人 Supervisor", "review", "科长 徐蕾"),
]
SH_ENTERPRISE = ("enterprise-sh", "上海示例医疗器械有限公司", "91310115MA1H000017"[:17], "浦东新区", "张江科学城")
ENTERPRISES = [
    ("enterprise-a", "重庆示例医疗科技有限公司", "91500000MA5U000010", "两江新区", "水土高新园"),
    ("enterprise-b", "重庆样例生物技术有限公司", "91500105MA60XK3B27", "沙坪坝区", "西永微电园"),
]
PRODUCTS = [
    ("一次性使用无菌注射器", "passive"), ("医用电子体温计", "active"), ("新型冠状病毒抗原检测试剂盒", "ivd"),
    ("医用外科口罩", "passive"), ("便携式心电监护仪", "active"), ("血糖测试条", "ivd"),
    ("智能输液泵", "active"), ("可吸收缝合线", "passive"), ("数字化X射线摄影系统", "active"),
    ("肿瘤标志物检测试剂盒", "ivd"), ("医用敷料", "passive"), ("家用制氧机", "active"),
]

# (class, type, options, how many actions to run, days between actions)
SCENARIOS = [
    ("II", "first", {"key_project": True, "needs_testing": True, "with_production_licence": True}, 99, 12),
    ("II", "first", {"needs_testing": True}, 99, 9),
    ("II", "first", {}, 99, 7),
    ("II", "change", {"qms_on_change": True}, 99, 10),
    ("II", "renewal", {}, 99, 8),
    ("licence", "licence", {}, 99, 3),
    ("III", "first", {"needs_testing": True, "with_production_licence": True}, 99, 15),
    ("III", "first", {}, 99, 20),
    ("II", "first", {"key_project": True}, 0, 5),
    ("II", "first", {"needs_testing": True}, 1, 5),
    ("II", "first", {"needs_testing": True}, 2, 20),
    ("II", "first", {}, 1, 3),
    ("II", "first", {}, 2, 10),
    ("II", "first", {"with_production_licence": True}, 3, 14),
    ("II", "first", {}, 3, 25),
    ("II", "change", {}, 1, 4),
    ("II", "change", {"qms_on_change": True}, 2, 30),
    ("II", "renewal", {}, 2, 45),
    ("II", "renewal", {}, 3, 6),
    ("licence", "licence", {}, 1, 10),
    ("licence", "licence", {}, 2, 6),
    ("III", "first", {"key_project": True}, 1, 10),
    ("III", "first", {"needs_testing": True}, 2, 40),
    ("III", "first", {"with_production_licence": True}, 2, 20),
]


def _certificate_number(authority: str, reference: str, class_and_code: str) -> str:
    """A registration certificate number in the form issuance checks (authority + 械注准 + year +
    class + classification code + serial), derived from the case's reference (CQ202600001)."""
    return f"{authority}械注准{reference[-9:-5]}{class_and_code}{reference[-4:]}"


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # The demo users have published passwords (one is a superuser).
            raise CommandError("seed_demo creates users with published passwords; it refuses to run "
                               "under production settings (config.settings.production).")
        from notices.signing import demo_ca_ensure, signing_summary

        # issued documents are signed; with no office key configured, by a local demo
        # CA made once here (its names say it has no legal effect).
        demo_ca_ensure()
        self.stdout.write(signing_summary())
        with transaction.atomic(), case_emails_suppressed():
            users = self._users()
            sh_users = self._shanghai(users)
            if Application.objects.filter(enterprise__credit_code=ENTERPRISES[0][2]).exists():
                self.stdout.write("Demo cases already loaded; users and passwords refreshed.")
            else:
                made = self._cases(users)
                self.stdout.write(self.style.SUCCESS(f"Loaded {made} demo applications."))
            if not Application.objects.filter(enterprise=sh_users["enterprise-a"].enterprise).exists():
                made = self._shanghai_cases(sh_users)
                self.stdout.write(self.style.SUCCESS(f"Loaded {made} demo applications of the Shanghai office."))
        self._print_logins()

    # --- users ---------------------------------------------------------------------------
    def _user(self, username, *, group=None, **fields):
        user, _ = User.objects.update_or_create(username=username, defaults=fields)
        user.set_password(PASSWORD)
        user.save()
        if group:
            user.groups.set([Group.objects.get(name=group)])
        return User.objects.get(pk=user.pk)

    def _users(self) -> dict[str, User]:
        users = {"admin": self._user("admin", is_staff=True, is_superuser=True, first_name="系统管理员",
                                     email="admin@example.com")}
        for username, group, dept, name in STAFF:
            users[username] = self._user(
                username, group=group, is_staff=True, first_name=name,
                email=f"{username}@example.com",
                department=Department.objects.filter(code=dept).first() if dept else None,
            )
        for username, name, code, district, park in ENTERPRISES:
            ent, _ = Enterprise.objects.update_or_create(
                credit_code=code, defaults={"name": name, "district": district, "park": park,
                                            "contact_email": f"{username}@example.com"})
            users[username] = self._user(username, group="企业注册专员 Enterprise user", enterprise=ent,
                                         first_name=name, email=f"{username}@example.com")
        users["officer"] = self._user("officer", group="产业部门 Industry officer", district="两江新区",
                                      first_name="两江新区产业局", email="officer@example.com")
        users["national"] = self._user("national", group="全国查阅 National reader", is_staff=True,
                                       first_name="国家药监局 全国查阅", email="national@example.com")
        return users

    def _shanghai(self, users) -> dict[str, User]:
        """The second office, its staff and an enterprise of its region; keyed by the role names the
        case builders use (``reviewer``, ``enterprise-a``...), so the same scenarios run there."""
        office, _ = Office.objects.update_or_create(code="SH", defaults=SHANGHAI)
        sh = {}
        for username, group, dept, name in SH_STAFF:
            sh[username.removeprefix("sh-")] = self._user(
                username, group=group, is_staff=True, first_name=name, email=f"{username}@example.com",
                office=office, department=Department.objects.filter(code=dept).first())
        username, name, first17, district, park = SH_ENTERPRISE
        ent, _ = Enterprise.objects.update_or_create(
            credit_code=first17 + credit_code_check_char(first17),
            defaults={"name": name, "district": district, "park": park, "contact_email": f"{username}@example.com"})
        sh["enterprise-a"] = sh["enterprise-b"] = self._user(
            username, group="企业注册专员 Enterprise user", enterprise=ent, first_name=name,
            email=f"{username}@example.com")
        users.update({f"sh-{role}": user for role, user in sh.items() if not role.startswith("enterprise")})
        users[username] = sh["enterprise-a"]
        return sh

    # --- cases ---------------------------------------------------------------------------
    def _shanghai_cases(self, sh) -> int:
        """A dozen cases of the Shanghai office, handled by its own staff (references SH…)."""
        rng = random.Random(31)
        today = timezone.localdate()
        cal = calendar_current()
        made = 0
        for i, (cls, app_type, options, steps, gap) in enumerate(SCENARIOS[:12]):
            owner = sh["enterprise-a"]
            product, category = PRODUCTS[(i + 5) % len(PRODUCTS)]
            # Cases of this year: a few steps each, so the office's list is current work.
            steps, gap = min(steps, 2 + i % 5), min(gap, 12)
            start = cal.add_working_days(today, -(steps * gap + rng.randint(3, 20)) if steps else -rng.randint(1, 5))
            self._scenario(sh, owner, i, (cls, app_type, options, steps, gap), product, category, start, cal, today)
            made += 1
        return made

    def _cases(self, users) -> int:
        rng = random.Random(2026)
        today = timezone.localdate()
        cal = calendar_current()
        made = 0
        made += self._legal_examples(users, cal, today)
        for i, (cls, app_type, options, steps, gap) in enumerate(SCENARIOS * 2):
            if made >= 40:
                break
            if i >= len(SCENARIOS):
                steps = min(steps, 1 + i % 3)  # the second round stays in progress
            owner = users["enterprise-a" if i % 2 == 0 else "enterprise-b"]
            product, category = PRODUCTS[i % len(PRODUCTS)]
            start = cal.add_working_days(today, -(steps * gap + rng.randint(3, 30)) if steps else -rng.randint(1, 5))
            app = self._scenario(users, owner, i, (cls, app_type, options, steps, gap), product, category, start,
                                 cal, today)
            made += 1
            if steps:
                self._twist(app, users, i, today)
        return made

    def _scenario(self, users, owner, i, scenario, product, category, start, cal, today):
        """One case of a scenario: registered on ``start``, then (unless it stays an intent)
        submitted and advanced ``steps`` actions by ``users``, the handlers of its office."""
        cls, app_type, options, steps, gap = scenario
        app = workflow.application_create(
            enterprise=owner.enterprise, product_name=product, category=category,
            device_class="II" if cls == "licence" else cls, application_type=app_type,
            actor=owner, today=start, pathway=self._pathway(i, app_type), **options)
        self._product_data(app, owner, product)
        if steps:  # else it stays an intent (draft)
            workflow.application_submit(application=app, actor=owner, today=start)
            self._advance(app, users, steps, start, gap, cal, today)
        return app

    def _legal_examples(self, users, cal, today) -> int:
        """One case for each rule the packs' correction (migration review.0006) fixed, so the demo
        shows them: a deemed acceptance, a supplement that lapsed into refusal, a Class III renewal,
        a Class II renewal that must be decided before the old certificate expires."""
        a, b = users["enterprise-a"], users["enterprise-b"]
        # Deemed acceptance: the dossier arrived after testing, the decision came 8 WD later.
        start = cal.add_working_days(today, -60)
        app = workflow.application_create(enterprise=a.enterprise, product_name="一次性使用输液器",
                                          category="passive", device_class="II", application_type="first",
                                          needs_testing=True, actor=a, today=start)
        workflow.application_submit(application=app, actor=a, today=start)
        workflow.stage_start(stage=app.stages.get(kind=StageKind.TESTING), actor=users["tester"], today=start)
        tested = cal.add_working_days(start, 30)
        workflow.stage_complete(stage=app.stages.get(kind=StageKind.TESTING), actor=users["tester"],
                                outcome=Outcome.PASSED, reference="CQJ-2026-0899", today=tested)
        received = cal.add_working_days(tested, 2)
        workflow.stage_start(stage=app.stages.get(kind=StageKind.ACCEPTANCE), actor=users["acceptance"],
                             today=received)
        workflow.stage_complete(stage=app.stages.get(kind=StageKind.ACCEPTANCE), actor=users["acceptance"],
                                outcome=Outcome.ACCEPTED, today=cal.add_working_days(received, 8))
        # A supplement not answered within a year: refused (Order 47 Art. 54).
        start = today - dt.timedelta(days=430)
        app = workflow.application_create(enterprise=b.enterprise, product_name="医用超声耦合剂",
                                          category="passive", device_class="II", application_type="first",
                                          actor=b, today=start)
        workflow.application_submit(application=app, actor=b, today=start)
        workflow.stage_complete(stage=app.stages.get(kind=StageKind.ACCEPTANCE), actor=users["acceptance"],
                                outcome=Outcome.ACCEPTED, today=start)
        workflow.stage_request_supplement(stage=app.stages.get(kind=StageKind.TECHNICAL_REVIEW),
                                          actor=users["reviewer"], today=start + dt.timedelta(days=20),
                                          items=["生物相容性评价资料", "产品稳定性研究资料"])
        workflow.stage_refuse_lapsed(stage=app.stages.get(kind=StageKind.TECHNICAL_REVIEW),
                                     actor=users["approver"], today=today)
        # Renewals: a Class III one decided nationally, and a Class II one due before expiry.
        made = 2
        for cls, product, number, expires in (("III", "植入式心脏起搏器", "国械注准20213120001", 150),
                                              ("II", "医用电子血压计", "渝械注准20212070001", 45)):
            old = workflow.application_create(enterprise=a.enterprise, product_name=product, category="active",
                                              device_class=cls, application_type="first", actor=a,
                                              today=today - dt.timedelta(days=1900))
            Certificate.objects.get_or_create(
                kind=Certificate.Kind.REGISTRATION, number=number,
                defaults={"application": old, "enterprise": a.enterprise, "product_name": product,
                          "issued_on": today - dt.timedelta(days=1800),
                          "expires_on": today + dt.timedelta(days=expires)})
            renewal = workflow.application_create(enterprise=a.enterprise, product_name=product, category="active",
                                                  device_class=cls, application_type="renewal", actor=a,
                                                  today=cal.add_working_days(today, -10))
            workflow.application_submit(application=renewal, actor=a, today=cal.add_working_days(today, -10))
            if cls == "II":
                workflow.stage_complete(stage=renewal.stages.get(kind=StageKind.ACCEPTANCE),
                                        actor=users["acceptance"], outcome=Outcome.ACCEPTED,
                                        today=cal.add_working_days(today, -8))
            made += 2
        return made

    def _advance(self, app, users, steps, day, gap, cal, today):
        """Run the natural next action ``steps`` times, ``gap`` working days apart."""
        for _ in range(steps):
            app.refresh_from_db()
            if app.is_closed:
                return
            open_stages = [s for s in app.stages.filter(phase=app.phase)
                           if s.state in (StageState.PENDING, StageState.RUNNING)]
            if not open_stages:
                return
            previous, day = day, min(cal.add_working_days(day, gap), today)
            for stage in open_stages:
                handler = self._handler(stage.kind, users)
                when = day
                if stage.kind in (StageKind.ACCEPTANCE, StageKind.LICENCE_ACCEPTANCE):
                    # Decided within the 5 WD (the deemed acceptance has its own example).
                    when = min(cal.add_working_days(stage.started_on or previous, 3), today)
                if stage.state == StageState.PENDING:  # waiting for its receipt (samples, dossier, notice)
                    workflow.stage_start(stage=stage, actor=handler, today=previous)
                    stage.refresh_from_db()
                    when = max(when, previous)
                if stage.kind == StageKind.TECHNICAL_REVIEW and app.pk % 3 == 0:
                    # Every third review waited for a supplement: the dashboard then shows the
                    # applicant's days apart from the office's.
                    asked = cal.add_working_days(stage.started_on, 5)
                    answered = cal.add_working_days(asked, 12)
                    if answered < when:
                        self._answered_supplement(app, stage, users, asked, answered)
                        stage.refresh_from_db()
                workflow.stage_complete(stage=stage, actor=handler, today=when, **self._outcome(stage))
                app.refresh_from_db()

    @staticmethod
    def _product_data(app, owner, product: str) -> None:
        """What the demo certificates print: entered by the applicant with the intent."""
        from services import product_data

        fields = {"registrant_address": f"重庆市两江新区演示路{app.pk}号",
                  "production_address": f"重庆市两江新区演示路{app.pk}号2幢", "models_specs": "演示型号A、演示型号B",
                  "structure": f"{product}由主机和附件组成（演示数据）。",
                  "intended_use": "供医疗机构临床使用（演示数据）。", "attachments": "产品技术要求"}
        if app.application_type == "licence" or app.with_production_licence:
            fields.update(legal_representative="演示法定代表人", enterprise_head="演示企业负责人",
                          production_scope="Ⅱ类医疗器械（演示数据）")
        if app.application_type == "change":
            fields["change_description"] = "增加型号（演示数据）"
        product_data.product_data_update(application=app, actor=owner, **fields)

    @staticmethod
    def _demo_pdf(title: str) -> bytes:
        """A one-page PDF that viewers open (ReportLab and the notices' embedded font): the demo's answer."""
        from reportlab.pdfgen import canvas

        from notices.pdf import FONT
        buffer = io.BytesIO()
        page = canvas.Canvas(buffer)
        page.setFont(FONT, 14)
        page.drawString(72, 770, title)
        page.setFont(FONT, 11)
        page.drawString(72, 745, "（演示数据）")
        page.save()
        return buffer.getvalue()

    @classmethod
    def _answered_supplement(cls, app, stage, users, asked, answered):
        workflow.stage_request_supplement(stage=stage, actor=users["reviewer"], today=asked,
                                          items=["产品技术要求中性能指标的检验方法", "说明书中的注意事项"])
        owner = next(u for u in (users["enterprise-a"], users["enterprise-b"]) if u.enterprise_id == app.enterprise_id)
        documents.supplement_answer(
            clock_stop=stage.clock_stops.get(ended_on__isnull=True), actor=owner, today=answered,
            response="已按补正通知补充检验方法，并修订说明书注意事项。",
            files=[SimpleUploadedFile("补正资料.pdf", cls._demo_pdf(f"{app.reference} 补正资料"),
                                      content_type="application/pdf")])

    def _twist(self, app, users, i, today):
        """Give some cases a pause, an extension, a suspension or an early end."""
        app.refresh_from_db()
        if app.is_closed:
            return
        running = list(app.stages.filter(state=StageState.RUNNING))
        review = next((s for s in running if s.kind == StageKind.TECHNICAL_REVIEW), None)
        decision = next((s for s in running if s.kind == StageKind.DECISION), None)
        if decision and i % 3 == 1:
            workflow.stage_complete(stage=decision, actor=users["approver"], outcome=Outcome.REFUSE,
                                    today=today, note="临床评价资料不能证明产品安全有效，不予注册")
        elif review and (i % 2 == 1 or (i % 4 == 2 and i != 30)):  # both enterprises have one open
            workflow.stage_request_supplement(
                stage=review, actor=users["reviewer"], today=max(review.started_on, today - dt.timedelta(days=20)),
                items=["产品技术要求中性能指标的检验方法", "临床评价资料中的同品种比对数据", "说明书中的禁忌证"])
        elif review and i % 7 == 3:  # Order 47 Art. 96: review and verification only
            workflow.stage_extend(stage=review, actor=users["supervisor"], days=2,
                                  reason="专家意见分歧，需补充论证")
        elif running and i in (13, 30):
            workflow.application_suspend(application=app, actor=users["supervisor"], today=today,
                                         reason="企业申请中止，待法院裁定")
        elif i in (20, 27):
            workflow.application_withdraw(application=app, actor=users["enterprise-a"], today=today,
                                          reason="企业调整产品设计，主动撤回")
        elif i in (21, 34):
            workflow.application_terminate(application=app, actor=users["supervisor"], today=today,
                                           reason="申请人已依法注销，注册程序终止")

    @staticmethod
    def _pathway(i, app_type):
        """A few priority and innovation cases, which staff lists show first."""
        if app_type == "first" and i % 9 == 4:
            return "priority"
        if app_type == "first" and i % 11 == 6:
            return "innovation"
        return "standard"

    @staticmethod
    def _handler(kind, users):
        return users[{
            StageKind.PRESUBMISSION: "reviewer", StageKind.TESTING: "tester",
            StageKind.ACCEPTANCE: "acceptance", StageKind.NATIONAL_REVIEW: "acceptance",
            StageKind.LICENCE_ACCEPTANCE: "acceptance",
            StageKind.TECHNICAL_REVIEW: "reviewer", StageKind.QMS_VERIFICATION: "inspector",
            StageKind.LICENCE_INSPECTION: "inspector", StageKind.MERGED_INSPECTION: "inspector",
        }.get(kind, "approver")]

    @staticmethod
    def _outcome(stage):
        kind = stage.kind
        if kind == StageKind.PRESUBMISSION:
            return {"outcome": Outcome.CLOSED, "note": "已完成前置指导"}
        app = stage.application
        shanghai = app.office.code == "SH"  # its own classification codes, so no number repeats
        authority = "沪" if shanghai else "渝"
        if kind == StageKind.TESTING:
            return {"outcome": Outcome.PASSED, "reference": f"{app.office.code}J-{app.reference}"}
        if kind in (StageKind.ACCEPTANCE, StageKind.LICENCE_ACCEPTANCE):
            return {"outcome": Outcome.ACCEPTED}
        if kind == StageKind.NATIONAL_REVIEW:  # the acceptance officer records NMPA's certificate
            return {"outcome": Outcome.APPROVE, "note": "国家药监局准予注册",
                    "reference": _certificate_number("国", stage.application.reference,
                                                       "306" if shanghai else "301")}
        if kind in (StageKind.TECHNICAL_REVIEW, StageKind.DECISION, StageKind.LICENCE_DECISION):
            return {"outcome": Outcome.APPROVE, "note": "符合要求，同意"}
        if kind == StageKind.ISSUANCE and stage.application.application_type != "licence":
            return {"outcome": Outcome.ISSUED,
                    "reference": _certificate_number(authority, stage.application.reference,
                                                       "222" if shanghai else "214")}
        if kind in (StageKind.ISSUANCE, StageKind.LICENCE_ISSUANCE):
            return {"outcome": Outcome.ISSUED,
                    "reference": f"{authority}药监械生产许{stage.application.reference[-9:]}号"}
        return {"outcome": Outcome.PASSED, "note": "现场检查通过"}

    def _print_logins(self):
        self.stdout.write(
            f"\nDemo logins (password for all: {PASSWORD}):\n"
            "  admin (superuser)   acceptance  reviewer  inspector  tester  approver\n"
            "  supervisor  director  officer (industry officer, 两江新区)\n"
            "  enterprise-a  enterprise-b (users of two different enterprises)\n"
            "  Shanghai office (references SH…): sh-reviewer  sh-supervisor  sh-acceptance  sh-inspector\n"
            "  sh-tester  sh-approver  enterprise-sh\n"
            "  national (reads every office)\n"
        )
