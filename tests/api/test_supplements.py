"""Supplement requests and answers with documents through the API; document downloads."""

import hashlib

from rest_framework.test import APIClient

from review.models import ClockStop, SupplementDocument, TransitionLog
from tests.case_fixtures import EXE, PDF, PNG, token_client, upload
from tests.conftest import stage_of


def answer_url(app, stop):
    return f"/api/v1/applications/{app.pk}/supplements/{stop.pk}/answer/"


def stored_files(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_list_shows_open_and_answered_requests(users, case_with_requests):
    app, answered, open_stop, doc = case_with_requests
    body = token_client(users.enterprise).get(f"/api/v1/applications/{app.pk}/supplements/").json()
    by_id = {s["id"]: s for s in body}
    assert list(by_id) == [open_stop.pk, answered.pk]  # newest first
    current = by_id[open_stop.pk]
    assert current["reason"] == "supplement" and current["items"] == open_stop.items
    assert current["deadline"] == open_stop.applicant_deadline.isoformat()
    assert current["days_left"] > 300 and current["answer_url"].endswith(answer_url(app, open_stop))
    assert current["stage"]["version"] == stage_of(app, "technical_review").version
    done = by_id[answered.pk]
    assert done["answer_url"] is None and done["answered_on"] == answered.ended_on.isoformat()
    [d] = done["documents"]
    assert (d["id"], d["original_name"], d["content_type"], d["size"]) == (doc.pk, "营业执照.pdf",
                                                                           "application/pdf", len(PDF))
    assert d["sha256"] == hashlib.sha256(PDF).hexdigest()


def test_answer_restarts_the_review_with_the_fresh_budget_and_stores_the_files(users, case_with_requests, uploads):
    app, _answered, open_stop, _doc = case_with_requests
    review = stage_of(app, "technical_review")
    files_before = stored_files(uploads)
    response = token_client(users.enterprise).post(answer_url(app, open_stop), {
        "version": review.version, "response": "1. 已补充检验方法\n2. 已补充比对数据",
        "files": [upload("检验方法.pdf", PDF, "text/plain"), upload("比对.png", PNG, "image/png")],
    }, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["answered_on"] and body["answer_url"] is None
    assert [(d["original_name"], d["content_type"]) for d in body["documents"]] == [
        ("检验方法.pdf", "application/pdf"), ("比对.png", "image/png")]  # by the bytes, not the claim
    review = stage_of(app, "technical_review")
    assert review.state == "running"
    # Order 47 Art. 92: a fresh 60 WD after the supplement; the Chongqing target stays 40.
    assert (review.statutory_days, review.target_days, review.consumed_days) == (60, 40, 0)
    actions = list(TransitionLog.objects.filter(application=app).order_by("-id").values_list("action", flat=True)[:2])
    assert actions == ["documents", "resume_supplement"]
    assert len(stored_files(uploads)) == len(files_before) + 2


def test_answer_with_a_stale_version_is_409_and_leaves_nothing(users, case_with_requests, uploads):
    app, _answered, open_stop, _doc = case_with_requests
    review = stage_of(app, "technical_review")
    files_before = stored_files(uploads)
    response = token_client(users.enterprise).post(answer_url(app, open_stop), {
        "version": review.version - 1, "response": "已补充", "files": [upload("a.pdf", PDF)]}, format="multipart")
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert stored_files(uploads) == files_before
    assert not SupplementDocument.objects.filter(clock_stop=open_stop).exists()
    assert ClockStop.objects.get(pk=open_stop.pk).ended_on is None


def test_a_disguised_file_is_refused_with_400(users, case_with_requests, uploads):
    app, _answered, open_stop, _doc = case_with_requests
    review = stage_of(app, "technical_review")
    files_before = stored_files(uploads)
    response = token_client(users.enterprise).post(answer_url(app, open_stop), {
        "version": review.version, "response": "已补充",
        "files": [upload("ok.pdf", PDF), upload("报告.pdf", EXE, "application/pdf")]}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "files" and "报告.pdf" in body["detail"]
    assert stored_files(uploads) == files_before
    assert stage_of(app, "technical_review").state == "paused"


def test_answer_needs_files_and_a_description(users, case_with_requests):
    app, _answered, open_stop, _doc = case_with_requests
    review = stage_of(app, "technical_review")
    client = token_client(users.enterprise)
    no_files = client.post(answer_url(app, open_stop), {"version": review.version, "response": "x"},
                           format="multipart")
    assert no_files.status_code == 400 and no_files.json()["field"] == "files"
    no_text = client.post(answer_url(app, open_stop), {"version": review.version, "response": "",
                                                       "files": [upload("a.pdf", PDF)]}, format="multipart")
    assert no_text.status_code == 400 and no_text.json()["field"] == "response"


def test_file_size_limit(users, case_with_requests, settings):
    app, _answered, open_stop, _doc = case_with_requests
    settings.SUPPLEMENT_MAX_FILE_BYTES = 100
    review = stage_of(app, "technical_review")
    response = token_client(users.enterprise).post(answer_url(app, open_stop), {
        "version": review.version, "response": "x", "files": [upload("big.pdf", PDF + b"0" * 200)]},
        format="multipart")
    assert response.status_code == 400 and response.json()["field"] == "files"


def test_who_may_answer(users, case_with_requests):
    app, answered, open_stop, _doc = case_with_requests
    review = stage_of(app, "technical_review")

    def post(user, stop=open_stop):
        return token_client(user).post(answer_url(app, stop), {
            "version": review.version, "response": "x", "files": [upload("a.pdf", PDF)]}, format="multipart")

    assert post(users.other_enterprise).status_code == 404
    assert post(users.officer).status_code == 404  # Not the officer's to see
    assert post(users.enterprise, answered).status_code == 409  # already answered
    assert APIClient().post(answer_url(app, open_stop), {}, format="multipart").status_code == 401
    assert ClockStop.objects.get(pk=open_stop.pk).ended_on is None


def test_answer_accepts_only_multipart(users, case_with_requests):
    app, _answered, open_stop, _doc = case_with_requests
    response = token_client(users.enterprise).post(answer_url(app, open_stop), {"version": 1}, format="json")
    assert response.status_code == 415


def test_document_download_checks_visibility(users, case_with_requests):
    _app, _answered, _open, doc = case_with_requests
    url = f"/api/v1/documents/{doc.pk}/"
    response = token_client(users.enterprise).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert token_client(users.director).get(url).status_code == 200
    assert token_client(users.officer).get(url).status_code == 404  # progress only
    assert token_client(users.other_enterprise).get(url).status_code == 404
    assert APIClient().get(url).status_code == 401


def test_a_document_whose_file_is_gone_is_404_not_500(users, case_with_requests, uploads):
    _app, _answered, _open, doc = case_with_requests
    (uploads / doc.file.name).unlink()
    response = token_client(users.enterprise).get(f"/api/v1/documents/{doc.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
