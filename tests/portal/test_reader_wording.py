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
