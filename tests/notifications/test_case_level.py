"""A case's level is a fact about the case: the assignee of one stage reads it under the same
level as the director, even when the stage past its statutory limit is another (a parallel branch)."""

from django.core import mail

from notifications.digests import digests_send
from notifications.sweep import deadlines_sweep
from review.selectors import calendar_current
from services import workflow
from tests.conftest import stage_of


def test_the_reviewer_lists_the_case_under_the_parallel_branchs_breach(users, reviewing):
    app = reviewing()
    review = stage_of(app, "technical_review")
    workflow.stage_reassign(stage=review, actor=users.supervisor, assignee=users.reviewer)
    review.refresh_from_db()
    cal = calendar_current()
    day = cal.add_working_days(review.target_due, 1)  # the review is past its target only
    assert day < review.statutory_due
    qms = stage_of(app, "qms_verification")  # the verification, beside it, past its statutory limit
    qms.statutory_due = cal.add_working_days(day, -2)
    qms.target_due = cal.add_working_days(day, -7)
    qms.save(update_fields=["statutory_due", "target_due"])

    mail.outbox.clear()
    deadlines_sweep(today=day)
    digests_send(today=day, force=True)
    by_address = {m.to[0]: m.body for m in mail.outbox}
    reviewer, director = by_address[users.reviewer.email], by_address[users.director.email]
    for body in (reviewer, director):
        assert "== 已超法定时限（1） ==" in body and "已超目标时限（" not in body, body
        assert body.count(app.reference) == 1
        assert f"体系核查（经办：{qms.department}" in body
        assert f"时限 {qms.statutory_due:%Y-%m-%d} · 已超期 2 个工作日" in body
    # The reviewer's own line, the review past its target, is named beside it.
    assert "另有：技术审评：已超目标时限" in reviewer, reviewer
