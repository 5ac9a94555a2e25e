"""Demo data: users for every role, two enterprises with about forty cases in every state.

Idempotent: users are (re)created with the demo password; cases are built only once, through the
workflow services with back-dated ``today`` values, so their history, clocks and log are real.
Demo passwords exist only here, never in settings.
"""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from notifications.emails import case_emails_suppressed
from review.models import Application, Department, Enterprise, User
from review.models.enums import MANUAL_START_KINDS, Outcome, StageKind, StageState
from review.selectors import calendar_current
from services import workflow

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


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # Issue 10: the demo users have published passwords (one is a superuser).
            raise CommandError("seed_demo creates users with published passwords; it refuses to run "
                               "under production settings (config.settings.production).")
        with transaction.atomic(), case_emails_suppressed():
            users = self._users()
            if Application.objects.filter(enterprise__credit_code=ENTERPRISES[0][2]).exists():
                self.stdout.write("Demo cases already loaded; users and passwords refreshed.")
            else:
                made = self._cases(users)
                self.stdout.write(self.style.SUCCESS(f"Loaded {made} demo applications."))
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
        return users

    # --- cases ---------------------------------------------------------------------------
    def _cases(self, users) -> int:
        rng = random.Random(2026)
        today = timezone.localdate()
        cal = calendar_current()
        made = 0
        for i, (cls, app_type, options, steps, gap) in enumerate(SCENARIOS * 2):
            if made >= 40:
                break
            if i >= len(SCENARIOS):
                steps = min(steps, 1 + i % 3)  # the second round stays in progress
            owner = users["enterprise-a" if i % 2 == 0 else "enterprise-b"]
            product, category = PRODUCTS[i % len(PRODUCTS)]
            start = cal.add_working_days(today, -(steps * gap + rng.randint(3, 30)) if steps else -rng.randint(1, 5))
            app = workflow.application_create(
                enterprise=owner.enterprise, product_name=product, category=category,
                device_class="II" if cls == "licence" else cls, application_type=app_type,
                actor=owner, today=start, **options)
            made += 1
            if steps == 0:
                continue  # stays an intent (draft)
            workflow.application_submit(application=app, actor=owner, today=start)
            self._advance(app, users, steps, start, gap, cal, today)
            self._twist(app, users, i, today)
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
            day = min(cal.add_working_days(day, gap), today)
            for stage in open_stages:
                handler = self._handler(stage.kind, users)
                if stage.state == StageState.PENDING and stage.kind in MANUAL_START_KINDS:
                    workflow.stage_start(stage=stage, actor=handler, today=day)
                    stage.refresh_from_db()
                workflow.stage_complete(stage=stage, actor=handler, today=day, **self._outcome(stage))
                app.refresh_from_db()

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
        elif review and i % 2 == 1:
            workflow.stage_request_supplement(
                stage=review, actor=users["reviewer"], today=max(review.started_on, today - dt.timedelta(days=20)),
                items=["产品技术要求中性能指标的检验方法", "临床评价资料中的同品种比对数据", "说明书中的禁忌证"])
        elif running and i % 7 == 3:
            workflow.stage_extend(stage=running[0], actor=users["supervisor"], days=2,
                                  reason="专家意见分歧，需补充论证")
        elif running and i in (13, 30):
            workflow.application_suspend(application=app, actor=users["supervisor"], today=today,
                                         reason="企业申请中止，待法院裁定")
        elif i in (20, 27):
            workflow.application_withdraw(application=app, actor=users["enterprise-a"], today=today,
                                          reason="企业调整产品设计，主动撤回")
        elif i in (21, 34):
            workflow.application_terminate(application=app, actor=users["supervisor"], today=today,
                                           reason="补正资料逾期一年未提交")

    @staticmethod
    def _handler(kind, users):
        return users[{
            StageKind.PRESUBMISSION: "reviewer", StageKind.TESTING: "tester",
            StageKind.ACCEPTANCE: "acceptance", StageKind.NATIONAL_REVIEW: "acceptance",
            StageKind.TECHNICAL_REVIEW: "reviewer", StageKind.QMS_VERIFICATION: "inspector",
            StageKind.LICENCE_INSPECTION: "inspector", StageKind.MERGED_INSPECTION: "inspector",
        }.get(kind, "approver")]

    @staticmethod
    def _outcome(stage):
        kind = stage.kind
        if kind == StageKind.PRESUBMISSION:
            return {"outcome": Outcome.CLOSED, "note": "已完成前置指导"}
        if kind == StageKind.TESTING:
            return {"outcome": Outcome.PASSED, "reference": f"CQJ-{stage.application.reference}"}
        if kind == StageKind.ACCEPTANCE:
            return {"outcome": Outcome.ACCEPTED}
        if kind in (StageKind.TECHNICAL_REVIEW, StageKind.NATIONAL_REVIEW, StageKind.DECISION,
                    StageKind.LICENCE_DECISION):
            return {"outcome": Outcome.APPROVE, "note": "符合要求，同意"}
        if kind in (StageKind.ISSUANCE, StageKind.LICENCE_ISSUANCE):
            return {"outcome": Outcome.ISSUED, "reference": f"渝械注准{stage.application.reference[-9:]}"}
        return {"outcome": Outcome.PASSED, "note": "现场检查通过"}

    def _print_logins(self):
        self.stdout.write(
            f"\nDemo logins (password for all: {PASSWORD}):\n"
            "  admin (superuser)   acceptance  reviewer  inspector  tester  approver\n"
            "  supervisor  director  officer (industry officer, 两江新区)\n"
            "  enterprise-a  enterprise-b (users of two different enterprises)\n"
        )
