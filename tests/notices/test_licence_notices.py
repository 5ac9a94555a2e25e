"""A production licence (Order 53) is not a registration: its notices speak of 医疗器械生产许可,
also when the licence runs in parallel with a first registration on the same case, and its
approvals are numbered in their own series, apart from the registration approvals' 准."""

import datetime as dt

import pytest

from notices import content
from notices.models import Notice
from services import notices, workflow
from tests.conftest import MONDAY, stage_of
from tests.notices.conftest import pdf_text

pytestmark = pytest.mark.django_db
D = dt.date


def _complete(app, kind, actor, outcome, *, today, note="", reference=""):
    workflow.stage_complete(stage=stage_of(app, kind), actor=actor, outcome=outcome, note=note,
                            reference=reference, today=today)


def _class_iii_with_licence(users, make_application):
    """A Class III first registration with the production licence in parallel, up to the licence."""
    app = make_application(device_class="III", category="active", with_production_licence=True)
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_start(stage=stage_of(app, "merged_inspection"), actor=users.inspector, today=MONDAY)
    _complete(app, "merged_inspection", users.inspector, "passed", note="合并检查通过", today=D(2026, 3, 3))
    _complete(app, "national_review", users.acceptance, "approve", reference="国械注准20263400002",
              today=D(2026, 3, 4))
    workflow.stage_start(stage=stage_of(app, "licence_acceptance"), actor=users.acceptance, today=D(2026, 3, 4))
    _complete(app, "licence_acceptance", users.acceptance, "accepted", today=D(2026, 3, 5))
    return app


def _approve_registration(users, app, day, certificate):
    for kind, actor, outcome in (("technical_review", users.reviewer, "approve"),
                                 ("qms_verification", users.inspector, "passed"),
                                 ("decision", users.approver, "approve")):
        _complete(app, kind, actor, outcome, note="同意", today=day)
    _complete(app, "issuance", users.approver, "issued", reference=certificate, today=day)


def test_the_licence_of_a_parallel_case_is_named_and_numbered_as_a_licence(users, make_application, reviewing):
    registration = reviewing()
    _approve_registration(users, registration, MONDAY, "渝械注准20262140001")
    first_approval = Notice.objects.get(application=registration, kind="approval")
    assert first_approval.number == "渝药监械准〔2026〕0001号"

    app = _class_iii_with_licence(users, make_application)
    accepted = [n for n in Notice.objects.filter(application=app, kind="acceptance")]
    assert len(accepted) == 1  # the licence's acceptance (the registration is the national one)
    text = pdf_text(accepted[0].pdf)
    assert "医疗器械生产许可申请资料" in text and "首次注册" not in text
    assert "《医疗器械生产监督管理办法》（国家市场监督管理总局令第53号）" in text

    _complete(app, "licence_decision", users.approver, "approve", note="准予生产许可", today=D(2026, 3, 6))
    _complete(app, "licence_issuance", users.approver, "issued", reference="渝食药监械生产许20260001号",
              today=D(2026, 3, 6))
    licence = Notice.objects.get(application=app, kind="approval")
    text = pdf_text(licence.pdf)
    assert licence.title == "准予许可通知书"
    assert f"医疗器械生产许可申请（受理号：{app.reference}）" in text and "首次注册" not in text
    assert "本局决定准予许可，核发医疗器械生产许可证" in text
    assert "《医疗器械生产监督管理办法》（国家市场监督管理总局令第53号）第十四条" in text
    # Its own series: the registration approvals' numbers are not touched and go on from theirs.
    assert licence.number == "渝药监械许〔2026〕0001号"
    later = reviewing()
    _approve_registration(users, later, MONDAY, "渝械注准20262140002")
    assert Notice.objects.get(application=later, kind="approval").number == "渝药监械准〔2026〕0002号"
    first_approval.refresh_from_db()
    assert first_approval.number == "渝药监械准〔2026〕0001号"
    # A correction of the licence's approval stays in the licence series.
    corrected = notices.notice_correct(notice=licence, actor=users.supervisor, today=D(2026, 3, 9))
    assert corrected.number == "渝药监械许〔2026〕0002号"


def test_a_licence_application_and_its_refusal_and_inspection_speak_of_the_licence():
    facts = content.CaseFacts(reference="CQ202600001", product_name="一次性使用输液器", device_class="II",
                              category="passive", application_type="first", enterprise="重庆某医疗器械有限公司",
                              credit_code="91500000MA5U000000", submitted_on=MONDAY)
    common = dict(number="渝药监械不〔2026〕0001号", issued_on=MONDAY, office="重庆市药品监督管理局", contact="")
    refusal = content.refusal(facts, reasons="洁净车间不符合要求", licence=True, reconsideration_body="重庆市人民政府",
                              **common)
    assert refusal.title == "不予许可决定书"
    assert refusal.paragraphs[0].startswith("你单位“一次性使用输液器”医疗器械生产许可申请（受理号：CQ202600001）")
    inspection = content.rectification(facts, items=["洁净区压差记录不全"], note="", stage_kind="licence_inspection",
                                       deadline=None, **common)
    assert "医疗器械生产许可申请" in inspection.paragraphs[0] and "首次注册" not in inspection.paragraphs[0]
    merged = content.rectification(facts, items=["洁净区压差记录不全"], note="", stage_kind="merged_inspection",
                                   deadline=None, **common)
    assert "首次注册申请" in merged.paragraphs[0]  # the merged inspection serves the registration too
