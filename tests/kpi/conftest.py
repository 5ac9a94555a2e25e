"""A small hand-computed data set: five technical reviews of the Chongqing pack (target 40 WD,
statutory 60 WD), with an expert pause, a supplement (fresh budget) and one across Labour Day.

| case | accepted   | what happens                                              | working days |
|------|------------|-----------------------------------------------------------|--------------|
| A    | 2026-03-02 | review done 03-16; QMS done 03-16; decision 03-20          | 10           |
| B    | 2026-04-27 | review done 05-11, across Labour Day (05-01..05 off, Saturday 05-09 worked) | 3+3+1+1 = 8 |
| C    | 2026-03-02 | expert pause 03-09 (5 used), resumed 03-23, done 04-01     | 5+7 = 12     |
| D    | 2026-03-02 | review done after 45 WD: past the 40-WD target, within 60  | 45           |
| E    | 2026-03-02 | supplement 03-06, answered 04-01 (fresh budget), done 04-10  | 6            |
|      |            | (Qingming 04-04..06 off); QMS 03-09; decision 04-13        |              |

Sorted 6, 8, 10, 12, 45: average 81/5 = 16.2; 90th percentile at position 1 + 0.9·4 = 4.6:
12 + 0.6·(45 − 12) = 31.8; on time against the target 4/5 = 80 %, against the statutory limit 5/5.
Case level (calendar days): A 18 total, 0 applicant; E 42 total (03-02..04-13), 26 applicant
(03-06..04-01), 16 office: averages 30 total, 13 applicant, 17 office.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from review.models import Application, Office
from review.selectors import calendar_current
from services import workflow
from tests.conftest import stage_of

D = dt.date


@pytest.fixture
def kpi_cases(users, reviewing):
    cal = calendar_current()
    review = "technical_review"

    def done(app, kind, actor, day, **kw):
        workflow.stage_complete(stage=stage_of(app, kind), actor=actor, today=day, **kw)

    a = reviewing(on=D(2026, 3, 2), product_name="A")
    done(a, review, users.reviewer, D(2026, 3, 16), outcome="approve", note="同意")
    done(a, "qms_verification", users.inspector, D(2026, 3, 16), outcome="passed", note="通过")
    done(a, "decision", users.approver, D(2026, 3, 20), outcome="approve", note="准予注册")

    b = reviewing(on=D(2026, 4, 27), product_name="B")
    done(b, review, users.reviewer, D(2026, 5, 11), outcome="approve", note="同意")

    c = reviewing(on=D(2026, 3, 2), product_name="C")
    workflow.stage_pause(stage=stage_of(c, review), actor=users.supervisor, reason="expert", note="专家咨询",
                         today=D(2026, 3, 9))
    workflow.stage_resume(stage=stage_of(c, review), actor=users.supervisor, today=D(2026, 3, 23))
    done(c, review, users.reviewer, D(2026, 4, 1), outcome="approve", note="同意")

    d = reviewing(on=D(2026, 3, 2), product_name="D")
    done(d, review, users.reviewer, cal.add_working_days(D(2026, 3, 2), 45), outcome="approve", note="同意")

    e = reviewing(on=D(2026, 3, 2), product_name="E")
    done(e, "qms_verification", users.inspector, D(2026, 3, 9), outcome="passed", note="通过")
    workflow.stage_request_supplement(stage=stage_of(e, review), actor=users.reviewer, items="检验报告",
                                      today=D(2026, 3, 6))
    workflow.stage_answer(stage=stage_of(e, review), actor=users.enterprise, response="已补正",
                          document_count=1, today=D(2026, 4, 1))
    done(e, review, users.reviewer, D(2026, 4, 10), outcome="approve", note="同意")
    done(e, "decision", users.approver, D(2026, 4, 13), outcome="approve", note="准予注册")
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e)


@pytest.fixture
def offices_cases(kpi_cases, users, reviewing):
    """The hand-computed cases (above), plus an IVD case, a case with a
    parallel licence (one decided case, two decisions), and one case moved to a second office."""
    a = reviewing(on=D(2026, 3, 2), product_name="F", category="ivd")
    workflow.stage_complete(stage=stage_of(a, "technical_review"), actor=users.reviewer, today=D(2026, 4, 20),
                            outcome="approve", note="同意")
    workflow.stage_complete(stage=stage_of(a, "qms_verification"), actor=users.inspector, today=D(2026, 3, 30),
                            outcome="passed", note="通过")
    workflow.stage_complete(stage=stage_of(a, "decision"), actor=users.approver, today=D(2026, 4, 24),
                            outcome="approve", note="准予注册")
    b = reviewing(on=D(2026, 3, 9), product_name="G", with_production_licence=True)
    for kind, actor, day, outcome in (("merged_inspection", users.inspector, D(2026, 3, 23), "passed"),
                                      ("technical_review", users.reviewer, D(2026, 3, 27), "approve"),
                                      ("decision", users.approver, D(2026, 4, 3), "approve")):
        workflow.stage_complete(stage=stage_of(b, kind), actor=actor, today=day, outcome=outcome, note="同意")
    default = Office.objects.default()
    other = Office.objects.create(code="SH", name="上海市药品监督管理局", jurisdiction="SH",
                                  notice_number_pattern="沪药监械{code}〔{year}〕{seq:04d}号",
                                  reconsideration_body="国家药品监督管理局")
    Application.objects.filter(pk=kpi_cases.d.pk).update(office=other)
    return default, other
