"""The portal through HTTP: sign-in, my applications, the case page, supplements, intents, tokens."""

import re

from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token

from review.models import Application, ClockStop, SupplementDocument
from services import workflow
from tests.case_fixtures import EXE, PDF, PNG, portal_client, token_client, upload
from tests.conftest import stage_of


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_sign_in_and_out(users):
    client = Client()
    page = client.get("/portal/login/")
    assert page.status_code == 200 and 'lang="zh-Hans"' in page.content.decode()
    response = client.post("/portal/login/", {"username": users.enterprise.username, "password": "pw"})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200
    link = client.get("/portal/logout/")  # a link cannot sign anyone out: back home, still signed in
    assert link.status_code == 302 and link["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200
    assert client.post("/portal/logout/").status_code == 302
    assert client.get("/portal/")["Location"].startswith("/portal/login/")


def test_wrong_password_is_refused(users):
    response = Client().post("/portal/login/", {"username": users.enterprise.username, "password": "nope"})
    assert response.status_code == 200 and "form-error" in response.content.decode()


def test_my_applications_show_progress_and_next_deadline(users, in_review, make_application):
    app = in_review()
    draft = make_application(product_name="医用电子体温计")
    page = text(portal_client(users.enterprise).get("/portal/"))
    assert app.reference in page and draft.reference in page
    review = stage_of(app, "technical_review")
    qms = stage_of(app, "qms_verification")
    assert min(review.target_due, qms.target_due).isoformat() in page
    assert 'aria-valuenow="20"' in page  # acceptance done, 1 of 5 stages
    assert 'role="progressbar"' in page


def test_officer_sees_the_districts_cases_read_only(users, in_review, make_application):
    app = in_review()
    theirs = workflow.application_create(enterprise=users.other_enterprise.enterprise, product_name="口罩",
                                         device_class="II", category="passive", application_type="first",
                                         actor=users.other_enterprise)
    client = portal_client(users.officer)
    page = text(client.get("/portal/"))
    assert app.reference in page and theirs.reference in page
    assert users.enterprise_obj.name in page  # officers see whose case it is
    intents = text(client.get("/portal/", {"progress": "intent"}))
    assert theirs.reference in intents and app.reference not in intents
    assert client.get("/portal/intents/new/").status_code == 403
    case = text(client.get(f"/portal/applications/{app.pk}/"))
    assert app.reference in case
    draft = text(client.get(f"/portal/applications/{theirs.pk}/"))
    assert theirs.reference in draft and "/submit/" not in draft  # the owner's button only
    assert client.post(f"/portal/applications/{theirs.pk}/submit/", {"version": theirs.version}).status_code == 403
    assert Application.objects.get(pk=theirs.pk).state == "draft"
    # What the applicant has to do ("您需要办理的事项", "nothing for you to do until ...") is the
    # enterprise's, not the officer's, who can do neither.
    for case in (app, theirs):
        assert 'id="next-step"' not in client.get(f"/portal/applications/{case.pk}/").content.decode()
    assert 'id="next-step"' in portal_client(users.enterprise).get(f"/portal/applications/{app.pk}/").content.decode()


def test_filters_answer_htmx_with_the_list_only(users, in_review, make_application):
    in_review()
    draft = make_application(product_name="血糖测试条")
    response = portal_client(users.enterprise).get("/portal/", {"progress": "intent"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and draft.reference in body and 'class="case-list"' in body


def test_case_page_shows_the_timeline_deadlines_and_department(users, in_review):
    app = in_review()
    workflow.stage_reassign(stage=stage_of(app, "technical_review"), actor=users.supervisor,
                            assignee=users.reviewer, reason="内部：工作量调整")
    with translation.override("zh-hans"):
        page = text(portal_client(users.enterprise).get(f"/portal/applications/{app.pk}/"))
    for stage in app.stages.all():
        assert f'id="stage-{stage.kind}"' in page
    review = stage_of(app, "technical_review")
    assert review.target_due.isoformat() in page and review.statutory_due.isoformat() in page
    assert review.department.name in page
    assert users.reviewer.username not in page and "工作量调整" not in page  # internal
    assert "tl-done" in page and "tl-running" in page and "tl-skipped" in page


def test_case_page_links_the_open_request_with_its_deadline(users, case_with_requests):
    app, answered, open_stop, _doc = case_with_requests
    page = text(portal_client(users.enterprise).get(f"/portal/applications/{app.pk}/"))
    assert f"/portal/applications/{app.pk}/requests/{open_stop.pk}/" in page
    assert open_stop.applicant_deadline.isoformat() in page
    assert f"/portal/applications/{app.pk}/requests/{answered.pk}/" in page  # answered, still listed


def test_enterprise_submits_its_draft_from_the_case_page(users, make_application):
    app = make_application()
    client = portal_client(users.enterprise)
    assert 'name="version"' in client.get(f"/portal/applications/{app.pk}/").content.decode()
    response = client.post(f"/portal/applications/{app.pk}/submit/", {"version": app.version}, follow=True)
    assert response.status_code == 200
    assert Application.objects.get(pk=app.pk).state == "acceptance"
    stale = client.post(f"/portal/applications/{app.pk}/submit/", {"version": app.version}, follow=True)
    messages = [str(m) for m in stale.context["messages"]]
    assert messages and Application.objects.get(pk=app.pk).state == "acceptance"


def test_intent_form_validates_server_side_and_names_the_field(users):
    client = portal_client(users.enterprise)
    form = client.get("/portal/intents/new/").content.decode()
    assert 'for="id_product_name"' in form and "<legend>" in form
    bad = client.post("/portal/intents/new/", {"product_name": "", "device_class": "IV", "category": "active",
                                               "application_type": "first", "pathway": "standard"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'id="id_product_name_error"' in html and 'id="id_device_class_error"' in html
    assert 'aria-invalid="true"' in html
    assert not Application.objects.exists()
    good = client.post("/portal/intents/new/", {"product_name": "智能输液泵", "device_class": "II",
                                                "category": "active", "application_type": "first",
                                                "pathway": "standard", "needs_testing": "on"})
    app = Application.objects.get()
    assert good.status_code == 302 and good["Location"] == f"/portal/applications/{app.pk}/"
    assert app.state == "draft" and app.needs_testing and app.enterprise == users.enterprise_obj


def test_intent_errors_in_the_users_language(users):
    users.enterprise.language = "en"
    users.enterprise.save(update_fields=["language"])
    english = portal_client(users.enterprise).post("/portal/intents/new/", {"device_class": "II"}).content.decode()
    assert "This field is required." in english
    users.enterprise.language = "zh-hans"
    users.enterprise.save(update_fields=["language"])
    chinese = portal_client(users.enterprise).post("/portal/intents/new/", {"device_class": "II"}).content.decode()
    assert "必填项" in chinese and "This field is required." not in chinese


def test_supplement_page_lists_what_is_missing_and_the_countdown(users, case_with_requests):
    app, _answered, open_stop, _doc = case_with_requests
    page = text(portal_client(users.enterprise).get(f"/portal/applications/{app.pk}/requests/{open_stop.pk}/"))
    for item in open_stop.items:
        assert f"<li>{item}</li>" in page
    assert open_stop.applicant_deadline.isoformat() in page
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page and "multiple" in page


def test_supplement_answer_through_the_portal(users, case_with_requests, uploads):
    app, _answered, open_stop, _doc = case_with_requests
    review = stage_of(app, "technical_review")
    url = f"/portal/applications/{app.pk}/requests/{open_stop.pk}/"
    response = portal_client(users.enterprise).post(url, {
        "version": review.version, "response": "已按要求补充",
        "files": [upload("检验方法.pdf", PDF), upload("照片.png", PNG)]})
    assert response.status_code == 302 and response["Location"] == f"/portal/applications/{app.pk}/"
    stop = ClockStop.objects.get(pk=open_stop.pk)
    assert stop.ended_on and stop.response == "已按要求补充"
    assert stage_of(app, "technical_review").state == "running"
    assert sorted(SupplementDocument.objects.filter(clock_stop=stop).values_list("content_type", flat=True)) == [
        "application/pdf", "image/png"]
    answered = text(portal_client(users.enterprise).get(url))
    assert "检验方法.pdf" in answered and "enctype" not in answered


def test_a_refused_file_is_shown_next_to_the_field_and_nothing_changes(users, case_with_requests, uploads):
    app, _answered, open_stop, _doc = case_with_requests
    review = stage_of(app, "technical_review")
    url = f"/portal/applications/{app.pk}/requests/{open_stop.pk}/"
    response = portal_client(users.enterprise).post(url, {
        "version": review.version, "response": "已补充", "files": [upload("报告.pdf", EXE)]})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_files_error"' in html and "报告.pdf" in html
    assert "已补充" in html  # what was typed is kept
    assert ClockStop.objects.get(pk=open_stop.pk).ended_on is None


def test_officer_neither_reads_nor_answers_the_request(users, case_with_requests):
    """Requests and answers are the applicant's dossier; officers follow progress."""
    app, _answered, open_stop, _doc = case_with_requests
    url = f"/portal/applications/{app.pk}/requests/{open_stop.pk}/"
    client = portal_client(users.officer)
    assert client.get(url).status_code == 404
    review = stage_of(app, "technical_review")
    response = client.post(url, {"version": review.version, "response": "x", "files": [upload("a.pdf", PDF)]})
    assert response.status_code == 404
    assert ClockStop.objects.get(pk=open_stop.pk).ended_on is None


def test_document_download_through_the_portal(users, case_with_requests):
    _app, _answered, _open, doc = case_with_requests
    response = portal_client(users.enterprise).get(f"/portal/documents/{doc.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert portal_client(users.other_enterprise).get(f"/portal/documents/{doc.pk}/").status_code == 404


def test_api_token_page_issues_rotates_and_revokes(users, make_application):
    make_application()
    client = portal_client(users.enterprise)
    assert "token-key" not in client.get("/portal/api-token/").content.decode()
    created = client.post("/portal/api-token/", {"do": "issue"}).content.decode()
    key = re.search(r'id="token-key">([0-9a-f]{40})<', created).group(1)
    assert f"Authorization: Token {key}" in created
    assert token_client(users.enterprise).get("/api/v1/applications/").json()["count"] == 1
    client.post("/portal/api-token/", {"do": "rotate"})
    assert Token.objects.get(user=users.enterprise).key != key
    client.post("/portal/api-token/", {"do": "revoke"})
    assert not Token.objects.filter(user=users.enterprise).exists()


def test_language_switch_is_kept_on_the_account(users, make_application):
    make_application()
    client = portal_client(users.enterprise)
    page = client.get("/portal/").content.decode()
    assert 'lang="zh-Hans"' in page and "我的申请" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    users.enterprise.refresh_from_db()
    assert users.enterprise.language == "en"
    page = client.get("/portal/").content.decode()
    assert 'lang="en"' in page and "My applications" in page


def test_my_applications_filter_by_state(users, in_review, make_application):
    """The README's "filters for state": one state chosen in the filter form."""
    reviewing_case = in_review(product_name="血糖仪")
    draft = make_application(product_name="血糖测试条")
    client = portal_client(users.enterprise)
    page = client.get("/portal/").content.decode()
    assert '<select name="state" id="id_state">' in page and '<option value="review">审评</option>' in page
    only_review = client.get("/portal/", {"state": "review"}).content.decode()
    assert reviewing_case.reference in only_review and draft.reference not in only_review
    assert '<option value="review" selected>审评</option>' in only_review
    only_drafts = text(client.get("/portal/", {"state": "draft"}))
    assert draft.reference in only_drafts and reviewing_case.reference not in only_drafts
    # "All" sends an empty state with the other filters: no error, no state filter.
    intents = client.get("/portal/", {"state": "", "progress": "intent"})
    assert not intents.context["filterset"].errors
    assert draft.reference in text(intents) and reviewing_case.reference not in text(intents)


def test_a_skipped_stages_reason_is_in_the_readers_language(users, in_review):
    """The log row holds the reason in the submitter's language; the reader sees their own."""
    from django.utils import translation

    with translation.override("zh-hans"):
        app = in_review()  # submitted in Chinese: "未同步申请生产许可" written in the log
    users.enterprise.language = "en"
    users.enterprise.save(update_fields=["language"])
    page = portal_client(users.enterprise).get(f"/portal/applications/{app.pk}/").content.decode()
    assert "no production licence in parallel" in page.lower()
    assert "未同步申请生产许可" not in page
