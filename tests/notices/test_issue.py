"""Each notice is generated at the transition that issues it, with the right content (read back
from the PDF), numbered from the settings' pattern, and never changed afterwards."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from notices.models import ImmutableError, Notice
from review.exceptions import InvalidInput, PermissionDenied
from review.models import Office
from services import notices, workflow
from tests.conftest import MONDAY, stage_of
from tests.notices.conftest import pdf_text


def _only(app, kind) -> Notice:
    (notice,) = Notice.objects.filter(application=app, kind=kind)
    return notice


def _to_decision(app, users, day):
    workflow.stage_complete(stage=stage_of(app, "technical_review"), actor=users.reviewer, today=day,
                            outcome="approve", note="同意")
    workflow.stage_complete(stage=stage_of(app, "qms_verification"), actor=users.inspector, today=day,
                            outcome="passed", note="通过")
    assert app.state == "decision"


def test_acceptance_notice_at_acceptance(users, reviewing, settings):
    # The case's office names the issuer and numbers the document (docs/offices.md).
    Office.objects.filter(is_default=True).update(name="某市药品监督管理局",
                                                  notice_number_pattern="某药监械{code}〔{year}〕{seq:03d}号")
    settings.SITE_URL = "https://review.example.gov.cn"
    app = reviewing()
    notice = _only(app, "acceptance")
    assert notice.number == "某药监械受〔2026〕001号" and notice.title == "受理通知书"
    assert notice.issued_on == MONDAY and notice.issued_by == users.acceptance
    text = pdf_text(notice.pdf)
    for expected in ("受理通知书", "某药监械受〔2026〕001号", f"{app.enterprise.name}：", "决定予以受理",
                     f"受理号：{app.reference}", app.enterprise.credit_code, "一次性使用无菌注射器",
                     "https://review.example.gov.cn/portal/lookup/",
                     "《医疗器械注册与备案管理办法》（国家市场监督管理总局令第47号）第五十三条",
                     "《中华人民共和国行政许可法》第三十二条", "某市药品监督管理局", "2026年3月2日"):
        assert expected in text, expected
    # The next acceptance of the year takes the next number.
    second = reviewing()
    assert _only(second, "acceptance").number == "某药监械受〔2026〕002号"


def test_ivd_acceptance_cites_order_48_by_title(reviewing):
    app = reviewing(category="ivd")
    text = pdf_text(_only(app, "acceptance").pdf)
    assert "《体外诊断试剂注册与备案管理办法》（国家市场监督管理总局令第48号）" in text
    assert "第47号" not in text


def test_supplement_notice_lists_every_item_once_numbered_with_the_deadline(users, reviewing):
    app = reviewing()
    stop = workflow.stage_request_supplement(
        stage=stage_of(app, "technical_review"), actor=users.reviewer, today=dt.date(2026, 3, 10),
        items=["1. 产品技术要求中的检验方法", "（2）临床评价资料", "三、说明书"], note="请一次性提交")
    notice = _only(app, "supplement")
    assert notice.clock_stop == stop and notice.title == "补正通知书"
    text = pdf_text(notice.pdf)
    assert "需要补充的资料（共3项）：" in text
    assert "1．产品技术要求中的检验方法" in text and "2．临床评价资料" in text and "3．说明书" in text
    assert "1．1." not in text and "2．（2）" not in text and "3．三、" not in text
    assert "请于2027年3月10日前一次性提交全部补充资料" in text  # Order 47 Art. 54: one year
    assert "审评说明：请一次性提交" in text and "第五十四条" in text


def test_missing_items_and_rectification_notices(users, make_application, reviewing):
    app = make_application()
    workflow.application_submit(application=app, actor=users.enterprise, today=MONDAY)
    workflow.stage_notify_missing_items(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                                        items="营业执照副本\n产品技术要求", today=MONDAY)
    text = pdf_text(_only(app, "missing_items").pdf)
    assert "一次性告知书" in text and "需要补正的材料（共2项）：" in text
    assert "1．营业执照副本" in text and "2．产品技术要求" in text and "第五十三条" in text

    reviewed = reviewing()
    workflow.stage_request_rectification(stage=stage_of(reviewed, "qms_verification"), actor=users.inspector,
                                         items=["洁净区压差记录不全"], today=MONDAY)
    text = pdf_text(_only(reviewed, "rectification").pdf)
    assert "整改通知书" in text and "注册质量管理体系核查" in text and "1．洁净区压差记录不全" in text
    assert "（食药监械管〔2015〕63号）第十七条" in text


def test_refusal_decision_gives_reasons_and_appeal_rights(users, reviewing, settings):
    Office.objects.filter(is_default=True).update(reconsideration_body="某市人民政府")
    app = reviewing()
    _to_decision(app, users, MONDAY)
    workflow.stage_complete(stage=stage_of(app, "decision"), actor=users.approver, outcome="refuse",
                            note="1. 临床评价资料不能证明产品安全有效\n2. 补充资料未能说明检验方法", today=MONDAY)
    assert app.state == "refused"
    notice = _only(app, "refusal")
    text = pdf_text(notice.pdf)
    assert notice.title == "不予注册决定书" and "本局决定不予注册" in text
    assert "1．临床评价资料不能证明产品安全有效" in text and "2．补充资料未能说明检验方法" in text
    assert "六十日内向某市人民政府申请行政复议" in text and "六个月内依法向人民法院提起行政诉讼" in text
    assert "《中华人民共和国行政复议法》第二十条" in text and "《中华人民共和国行政诉讼法》第四十六条" in text


def test_approval_notice_with_certificate_number_and_validity(users, reviewing):
    app = reviewing()
    _to_decision(app, users, MONDAY)
    workflow.stage_complete(stage=stage_of(app, "decision"), actor=users.approver, outcome="approve",
                            note="准予注册", today=MONDAY)
    assert not Notice.objects.filter(application=app, kind="approval").exists()  # issued at issuance
    workflow.stage_complete(stage=stage_of(app, "issuance"), actor=users.approver, outcome="issued",
                            reference="渝械注准20262140001", today=dt.date(2026, 3, 4))
    text = pdf_text(_only(app, "approval").pdf)
    assert "准予注册通知书" in text and "本局决定准予注册，核发医疗器械注册证" in text
    assert "医疗器械注册证编号渝械注准20262140001" in text
    # Order 47 Art. 58: five years from the approval the certificate states (the decision of Mon 3/2),
    # not from the issuance on 3/4.
    assert "有效期2026年3月2日至2031年3月1日" in text
    assert [n.kind for n in Notice.objects.filter(application=app)] == ["acceptance", "approval", "certificate"]


def test_a_failed_command_issues_no_notice(users, reviewing):
    first, second = reviewing(), reviewing()
    for app in (first, second):
        _to_decision(app, users, MONDAY)
        workflow.stage_complete(stage=stage_of(app, "decision"), actor=users.approver, outcome="approve",
                                note="准予注册", today=MONDAY)
    workflow.stage_complete(stage=stage_of(first, "issuance"), actor=users.approver, outcome="issued",
                            reference="渝械注准20262140001", today=MONDAY)
    with pytest.raises(InvalidInput):
        workflow.stage_complete(stage=stage_of(second, "issuance"), actor=users.approver, outcome="issued",
                                reference="渝械注准20262140001", today=MONDAY)
    assert not Notice.objects.filter(application=second, kind="approval").exists()


def test_staff_pauses_issue_no_notice(users, reviewing):
    app = reviewing()
    workflow.stage_pause(stage=stage_of(app, "technical_review"), actor=users.reviewer, reason="expert",
                         note="专家咨询", today=MONDAY)
    assert [n.kind for n in Notice.objects.filter(application=app)] == ["acceptance"]


def test_an_issued_notice_never_changes(reviewing):
    app = reviewing()
    notice = _only(app, "acceptance")
    notice.title = "改过的"
    with pytest.raises(ImmutableError):
        notice.save()
    with pytest.raises(ImmutableError):
        Notice.objects.filter(pk=notice.pk).update(title="改过的")
    with pytest.raises(ImmutableError):
        notice.delete()
    with pytest.raises(ImmutableError):
        Notice.objects.filter(pk=notice.pk).delete()
    if connection.vendor == "postgresql":  # and in the database itself
        from django.db import DatabaseError

        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as c:
            c.execute("UPDATE notices_notice SET title = 'x' WHERE id = %s", [notice.pk])
    notice.refresh_from_db()
    assert notice.title == "受理通知书"


def test_a_correction_is_a_new_notice_naming_the_old_one(users, reviewing):
    app = reviewing()
    old = _only(app, "acceptance")
    old_bytes = bytes(old.pdf)
    with pytest.raises(PermissionDenied):
        notices.notice_correct(notice=old, actor=users.reviewer)
    app.enterprise.name = "更名后的企业有限公司"
    app.enterprise.save()
    new = notices.notice_correct(notice=old, actor=users.supervisor, today=dt.date(2026, 3, 5))
    assert new.pk != old.pk and new.number != old.number and new.corrects == old
    text = pdf_text(new.pdf)
    assert f"本文书更正2026年签发的{old.number}" in text and "更名后的企业有限公司" in text
    old.refresh_from_db()
    assert bytes(old.pdf) == old_bytes


def test_refusal_notice_for_a_lapsed_supplement_but_not_for_a_national_refusal(users, reviewing):
    app = reviewing()
    notice = notices.notice_refusal(application=app, stage=stage_of(app, "technical_review"), actor=users.approver,
                                    reasons="补正资料逾期未提交", today=MONDAY)
    text = pdf_text(notice.pdf)
    assert "不予注册决定书" in text and "1．补正资料逾期未提交" in text
    national = SimpleNamespace(kind="national_review")  # decided by the national administration
    assert notices.notice_refusal(application=app, stage=national, actor=users.acceptance,
                                  reasons="国家局不予注册", today=MONDAY) is None
    assert Notice.objects.filter(application=app, kind="refusal").count() == 1


def test_a_renewal_is_refused_as_a_renewal():
    """The Regulation (Art. 22) speaks of 不予延续注册 for a renewal: the notice says so."""
    from notices import content

    facts = dict(reference="CQ202600001", product_name="医用电子体温计", device_class="II", category="active",
                 enterprise="重庆某医疗科技有限公司", credit_code="91500000MA5U000000")
    common = dict(number="渝药监械不〔2026〕001号", issued_on=MONDAY, office="重庆市药品监督管理局",
                  contact="", reasons="未在规定期限内提出延续注册申请", licence=False,
                  reconsideration_body="某市人民政府")
    renewal = content.refusal(content.CaseFacts(application_type="renewal", **facts), **common)
    assert renewal.title == "不予延续注册决定书"
    assert "本局决定不予延续注册。" in renewal.paragraphs[0] and "延续注册申请" in renewal.paragraphs[0]
    first = content.refusal(content.CaseFacts(application_type="first", **facts), **common)
    assert first.title == "不予注册决定书" and "本局决定不予注册。" in first.paragraphs[0]
