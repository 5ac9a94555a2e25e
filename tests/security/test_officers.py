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
