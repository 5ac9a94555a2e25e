"""Each reader is addressed as who they are: the applicant as "you", an industry officer (who can
act on nothing) reads of the applicant in the third person; and a stage of the office that is past
its date is shown before any date still ahead, on the portal and in the API alike."""

from django.utils import timezone

from review.selectors import calendar_current
from tests.case_fixtures import portal_client, token_client
from tests.conftest import stage_of


def _late_qms(app, days=6):
    """The QMS verification, running beside the paused review, past its statutory limit."""
    cal, today = calendar_current(), timezone.localdate()
    qms = stage_of(app, "qms_verification")
    assert qms.state == "running"
    qms.statutory_due = cal.add_working_days(today, -days)
    qms.target_due = cal.add_working_days(today, -days - 5)
    qms.save(update_fields=["statutory_due", "target_due"])
    return qms


def test_the_officer_reads_of_the_applicant_and_sees_the_late_stage_first(users, case_with_requests):
    app = case_with_requests[0]
    qms = _late_qms(app)
    html = portal_client(users.officer).get(f"/portal/applications/{app.pk}/").content.decode()
    assert "您的" not in html
    assert "申请人答复：补正" in html
    late = html.index('id="late-date"')
    assert late < html.index('id="next-title"')
    card = html[late:html.index("</section>", late)]
    late_by = calendar_current().working_days_between(qms.statutory_due, timezone.localdate())
    assert f"<span>{late_by}</span>" in card and "已超法定时限" in card
    assert f"体系核查 · 法定时限（{qms.statutory_due:%Y-%m-%d}）已过" in card

    listing = portal_client(users.officer).get("/portal/").content.decode()
    assert "申请人答复期限" in listing and "您的答复期限" not in listing


def test_the_applicant_is_addressed_as_you(users, case_with_requests):
    app = case_with_requests[0]
    _late_qms(app)
    html = portal_client(users.enterprise).get(f"/portal/applications/{app.pk}/").content.decode()
    assert "您的答复：补正" in html and 'id="late-date"' in html
    assert "您的答复期限" in portal_client(users.enterprise).get("/portal/").content.decode()


def test_the_api_says_the_same_to_each_reader(users, case_with_requests):
    app = case_with_requests[0]
    qms = _late_qms(app)
    url = f"/api/v1/applications/{app.pk}/"
    owner = token_client(users.enterprise).get(url).json()
    officer = token_client(users.officer).get(url).json()
    for body in (owner, officer):
        assert body["late_date"] == {"date": f"{qms.statutory_due:%Y-%m-%d}", "what": "体系核查 · 法定时限",
                                     "level": "breach",
                                     "late_by": calendar_current().working_days_between(qms.statutory_due,
                                                                                        timezone.localdate())}
        assert body["late_level"] == "breach"
    assert owner["next_date"]["what"] == "您的答复：补正"
    assert officer["next_date"]["what"] == "申请人答复：补正"


def test_one_case_page_per_reader(users, case_with_requests):
    """The case page the admin, the portal and the API assemble (review.selectors_cases.case_page)
    decides the reader once: the owner is the applicant, staff see everything, an officer neither."""
    from review.selectors_cases import case_page

    app = case_with_requests[0]
    cal, today = calendar_current(), timezone.localdate()
    pages = {who: case_page(app, getattr(users, who), today=today, cal=cal)
             for who in ("enterprise", "officer", "reviewer")}
    assert {who: p.reader for who, p in pages.items()} == {
        "enterprise": "applicant", "officer": "officer", "reviewer": "staff"}
    assert [p.dossier for p in pages.values()] == [True, False, True]
    assert len({p.next.day for p in pages.values()}) == 1  # the same date for every reader
    from review.selectors_cases import next_date

    def answer(page):  # the paused review's date: the applicant's answer
        review = [v for v in page.views if v.stage.kind == "technical_review"]
        return next_date(review, today=today, cal=cal, applicant=page.applicant).what

    assert answer(pages["enterprise"]) == "您的答复：补正"
    assert answer(pages["officer"]) == "申请人答复：补正" == answer(pages["reviewer"])
    # The timeline's free text: staff read it, an officer reads what happened when, not what was written.
    assert any(r.shown_reason for r in pages["reviewer"].log_rows)
    assert pages["officer"].log_rows and not any(r.shown_reason for r in pages["officer"].log_rows)
    assert {v.stage.pk for v in pages["officer"].views} == {v.stage.pk for v in pages["reviewer"].views}
