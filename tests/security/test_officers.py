"""Industry officers follow progress, not the dossier: the Shanghai plan shares intents,
acceptance and progress with district and park officers; supplement answers and documents stay
with the enterprise and staff."""

from tests.case_fixtures import portal_client, token_client


def test_officer_sees_progress_but_no_answers_items_or_documents(users, case_with_requests):
    app, answered, open_stop, doc = case_with_requests
    api = token_client(users.officer)
    detail = api.get(f"/api/v1/applications/{app.pk}/")
    assert detail.status_code == 200 and detail.json()["state"] == app.state
    dossier_words = [answered.response, *open_stop.items, *answered.items, doc.original_name]
    for url in (f"/api/v1/applications/{app.pk}/", f"/api/v1/applications/{app.pk}/stages/",
                f"/api/v1/applications/{app.pk}/log/?page_size=100", f"/portal/applications/{app.pk}/"):
        client = api if url.startswith("/api/") else portal_client(users.officer)
        body = client.get(url).content.decode()
        assert all(w not in body for w in dossier_words), (url, [w for w in dossier_words if w in body])
    for url in (f"/api/v1/applications/{app.pk}/supplements/", f"/api/v1/documents/{doc.pk}/"):
        assert api.get(url).status_code == 404
    portal = portal_client(users.officer)
    assert portal.get(f"/portal/applications/{app.pk}/requests/{answered.pk}/").status_code == 404
    assert portal.get(f"/portal/documents/{doc.pk}/").status_code == 404


def test_the_enterprise_and_staff_still_read_the_dossier(users, case_with_requests):
    app, answered, _open_stop, doc = case_with_requests
    for user in (users.enterprise, users.reviewer):
        api = token_client(user)
        assert answered.response in api.get(f"/api/v1/applications/{app.pk}/stages/").content.decode()
        assert api.get(f"/api/v1/documents/{doc.pk}/").status_code == 200


def test_officers_download_the_progress_notices_but_not_the_dossiers(users, case_with_requests, reviewing):
    """the officer got 404 on the supplement requests but downloaded the 补正通知书
    (every item) and the refusal decision (its reasons). A document is read by whoever may read
    what it says: the acceptance, yes; missing items, supplement, refusal, no."""
    from notices.models import Notice
    from services import workflow
    from tests.conftest import stage_of

    app, *_rest = case_with_requests
    refused = reviewing(product_name="不予注册的产品")
    workflow.stage_complete(stage=stage_of(refused, "technical_review"), actor=users.reviewer,
                            outcome="refuse", note="临床评价资料不足以证明产品安全有效")
    workflow.stage_complete(stage=stage_of(refused, "qms_verification"), actor=users.inspector,
                            outcome="passed", note="通过")
    workflow.stage_complete(stage=stage_of(refused, "decision"), actor=users.approver, outcome="refuse",
                            note="临床评价资料不足以证明产品安全有效")
    kinds = {n.kind: n for n in Notice.objects.filter(application__in=[app, refused])}
    assert {"acceptance", "missing_items", "supplement", "refusal"} <= set(kinds), set(kinds)

    api, portal = token_client(users.officer), portal_client(users.officer)
    listed = {n["kind"] for a in (app, refused)
              for n in api.get(f"/api/v1/applications/{a.pk}/notices/").json()}
    assert listed == {"acceptance"}
    for kind, notice in kinds.items():
        expected = 200 if kind == "acceptance" else 404
        assert api.get(f"/api/v1/notices/{notice.pk}/").status_code == expected, kind
        assert portal.get(f"/portal/notices/{notice.pk}/").status_code == expected, kind
    page = portal.get(f"/portal/applications/{refused.pk}/").content.decode()
    assert "不予注册决定书" not in page and "临床评价资料不足" not in page

    enterprise = token_client(users.enterprise)
    for notice in kinds.values():
        assert enterprise.get(f"/api/v1/notices/{notice.pk}/").status_code == 200
