"""Staff words never reach the applicant: the history in the API, the portal and the e-mails
shows the applicant's own words and what they must answer, and nothing reviewers, approvers or
experts wrote for each other."""

from notifications.models import OutboundEmail
from review.models import TransitionLog
from services import workflow
from tests.case_fixtures import portal_client, token_client, working_day
from tests.conftest import stage_of

EXPERT_NOTE = "内部:请专家甲评估生物相容性"
EXPERT_ANSWER = "专家甲认为数据不足"
OPINION = "审评意见:建议不予注册,内部讨论稿"
SUPPLEMENT_NOTE = "请一次性提交补正材料"
ITEM = "临床评价资料中的同品种比对数据"
ANSWER = "已补充比对数据"
STAFF_WORDS = (EXPERT_NOTE, EXPERT_ANSWER, OPINION)


def _case_with_staff_notes(users, in_review):
    app = in_review()
    review = stage_of(app, "technical_review")
    workflow.stage_pause(stage=review, actor=users.reviewer, reason="expert", note=EXPERT_NOTE,
                         today=working_day(-9))
    workflow.stage_resume(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                          response=EXPERT_ANSWER, today=working_day(-8))
    workflow.stage_request_supplement(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                                      items=[ITEM], note=SUPPLEMENT_NOTE, today=working_day(-7))
    workflow.stage_answer(stage=stage_of(app, "technical_review"), actor=users.enterprise,
                          response=ANSWER, document_count=1, today=working_day(-6))
    workflow.stage_complete(stage=stage_of(app, "technical_review"), actor=users.reviewer,
                            outcome="refuse", note=OPINION, today=working_day(-5))
    app.refresh_from_db()
    return app


def test_api_history_hides_staff_words_from_enterprise_and_officer(users, in_review):
    app = _case_with_staff_notes(users, in_review)
    for who in (users.enterprise, users.officer):
        body = token_client(who).get(f"/api/v1/applications/{app.pk}/log/?page_size=100").content.decode()
        for words in STAFF_WORDS:
            assert words not in body, (who, words)
        # The applicant reads its own answer and what it must answer; the officer neither.
        shown = who == users.enterprise
        assert (ANSWER in body, SUPPLEMENT_NOTE in body, ITEM in body) == (shown, shown, shown)
    staff = token_client(users.supervisor).get(f"/api/v1/applications/{app.pk}/log/?page_size=100")
    assert all(words in staff.content.decode() for words in STAFF_WORDS)


def test_portal_timeline_hides_staff_words(users, in_review):
    app = _case_with_staff_notes(users, in_review)
    page = portal_client(users.enterprise).get(f"/portal/applications/{app.pk}/").content.decode()
    for words in STAFF_WORDS:
        assert words not in page, words
    assert ANSWER in page and SUPPLEMENT_NOTE in page


def test_emails_to_the_enterprise_carry_no_staff_words(users, in_review):
    app = _case_with_staff_notes(users, in_review)
    workflow.application_suspend(application=app, actor=users.supervisor, reason=EXPERT_NOTE,
                                 today=working_day(-4))
    bodies = " ".join(e.body + e.html for e in OutboundEmail.objects.filter(application=app))
    assert bodies and all(words not in bodies for words in STAFF_WORDS)


def test_visibility_is_stored_per_row_at_write_time_and_hidden_by_default(users, in_review):
    app = _case_with_staff_notes(users, in_review)
    rows = {r.action: r for r in TransitionLog.objects.filter(application=app)}
    assert rows["pause_supplement"].reason_for_applicant and rows["resume_supplement"].reason_for_applicant
    assert not rows["pause_expert"].reason_for_applicant and not rows["resume_expert"].reason_for_applicant
    assert not rows["stage_complete"].reason_for_applicant
    # A row written without a rule (any new action) hides its text.
    with_rule = workflow.log(app, action="advance", actor=users.supervisor, reason="内部")
    assert with_rule.reason_for_applicant is False and with_rule.applicant_reason == ""
