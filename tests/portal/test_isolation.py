"""Isolation: every portal page and API endpoint refuses whoever may not see or act on the case.

Another enterprise's user and an industry officer of another district get 404 (the case's
existence is not disclosed); an anonymous visitor gets the sign-in page (portal) or 401 (API);
the industry officer of the case's own district reads but every write is 403. After every
attempt nothing has changed: states, the open request, documents and the log.
"""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from review.models import Application, ClockStop, SupplementDocument, TransitionLog
from services.actions import ACTIONS
from tests.case_fixtures import PDF, portal_client, token_client, upload
from tests.conftest import stage_of
from tests.factories import EnterpriseFactory, second_office, user_with_role


@dataclass
class Target:
    name: str
    method: str
    path: str  # formatted with the objects below
    api: bool
    body: str = ""  # "answer" | "submit" | "action:<scope>"


TARGETS = [
    Target("portal case", "get", "/portal/applications/{app}/", api=False),
    Target("portal draft", "get", "/portal/applications/{draft}/", api=False),
    Target("portal open request", "get", "/portal/applications/{app}/requests/{open}/", api=False),
    Target("portal answered request", "get", "/portal/applications/{app}/requests/{answered}/", api=False),
    Target("portal document", "get", "/portal/documents/{doc}/", api=False),
    Target("portal submit", "post", "/portal/applications/{draft}/submit/", api=False, body="submit"),
    Target("portal answer", "post", "/portal/applications/{app}/requests/{open}/", api=False, body="answer"),
    Target("portal answer via own case", "post", "/portal/applications/{theirs}/requests/{open}/", api=False,
           body="answer"),
    Target("portal request via own case", "get", "/portal/applications/{theirs}/requests/{open}/", api=False),
    Target("api detail", "get", "/api/v1/applications/{app}/", api=True),
    Target("api draft detail", "get", "/api/v1/applications/{draft}/", api=True),
    Target("api stages", "get", "/api/v1/applications/{app}/stages/", api=True),
    Target("api log", "get", "/api/v1/applications/{app}/log/", api=True),
    Target("api supplements", "get", "/api/v1/applications/{app}/supplements/", api=True),
    Target("api actions", "get", "/api/v1/applications/{app}/actions/", api=True),
    Target("api document", "get", "/api/v1/documents/{doc}/", api=True),
    Target("api answer", "post", "/api/v1/applications/{app}/supplements/{open}/answer/", api=True, body="answer"),
    Target("api answer via own case", "post", "/api/v1/applications/{theirs}/supplements/{open}/answer/",
           api=True, body="answer"),
    *[Target(f"api action {a.name}", "post", f"/api/v1/applications/{{app}}/actions/{a.name}/", api=True,
             body=f"action:{a.scope}") for a in ACTIONS],
    Target("api submit draft", "post", "/api/v1/applications/{draft}/actions/submit/", api=True, body="action:case"),
    Target("api withdraw draft", "post", "/api/v1/applications/{draft}/actions/withdraw/", api=True,
           body="action:case"),
]
WRITES = [t for t in TARGETS if t.method == "post"]


@pytest.fixture
def world(users, case_with_requests, make_application):
    app, answered, open_stop, doc = case_with_requests
    draft = make_application(product_name="家用制氧机")
    theirs = make_application(enterprise=users.other_enterprise.enterprise, actor=users.other_enterprise,
                              product_name="他人的申请")
    review = stage_of(app, "technical_review")
    ids = {"app": app.pk, "draft": draft.pk, "open": open_stop.pk, "answered": answered.pk, "doc": doc.pk,
           "theirs": theirs.pk}
    snapshot = {
        "states": dict(Application.objects.values_list("pk", "state")),
        "log": TransitionLog.objects.count(),
        "documents": SupplementDocument.objects.count(),
    }
    return {"app": app, "draft": draft, "open": open_stop, "review": review, "ids": ids, "snapshot": snapshot}


def body_for(target, world):
    review, app, draft = world["review"], world["app"], world["draft"]
    if target.body == "answer":
        return {"version": review.version, "response": "越权补正", "files": [upload("x.pdf", PDF)]}
    if target.body == "submit":
        return {"version": draft.version}
    if target.body == "action:stage":
        return {"stage": review.pk, "version": review.version, "outcome": "approve", "note": "x",
                "reason": "expert", "days": 5, "items": ["x"], "response": "x"}
    if target.body == "action:case":
        return {"version": draft.version if "{draft}" in target.path else app.version, "reason": "越权"}
    return None


def call(client, target, world):
    url = target.path.format(**world["ids"])
    body = body_for(target, world)
    if target.method == "get":
        return client.get(url)
    if target.api and target.body.startswith("action"):
        return client.post(url, body, format="json")
    if target.api:
        return client.post(url, body, format="multipart")
    return client.post(url, body)


def assert_nothing_changed(world):
    snap = world["snapshot"]
    assert dict(Application.objects.values_list("pk", "state")) == snap["states"]
    assert TransitionLog.objects.count() == snap["log"]
    assert SupplementDocument.objects.count() == snap["documents"]
    assert ClockStop.objects.get(pk=world["open"].pk).ended_on is None


def intruder(users, who):
    if who == "another enterprise":
        return users.other_enterprise
    if who == "supervisor of another office":
        return user_with_role("supervisor", office=second_office())
    if who == "officer of another district":
        elsewhere = EnterpriseFactory(district="沙坪坝区")
        user_with_role("enterprise", enterprise=elsewhere)
        return user_with_role("officer", district="沙坪坝区")
    return None


@pytest.mark.parametrize("who", ["another enterprise", "officer of another district", "supervisor of another office",
                                 "anonymous"])
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_refused(users, world, target, who):
    user = intruder(users, who)
    if target.api:
        client = token_client(user) if user else APIClient()
    else:
        client = portal_client(user) if user else APIClient()
    response = call(client, target, world)
    if user is None:
        if target.api:
            assert response.status_code == 401, response.content
        else:
            assert response.status_code == 302 and response["Location"].startswith("/portal/login/?next=")
    elif "via own case" in target.name and who == "another enterprise":
        assert response.status_code == 404  # their own case, our request: not found under it
    else:
        assert response.status_code == 404, (response.status_code, response.content[:300])
    assert_nothing_changed(world)


# Requests, answers and documents are the applicant's dossier; the district's officer
# follows progress only, and for them those addresses do not exist (404).
DOSSIER = {"portal open request", "portal answered request", "portal document", "portal answer",
           "api supplements", "api document", "api answer"}


def _dossier(target) -> bool:
    return target.name in DOSSIER


@pytest.mark.parametrize("target", [t for t in WRITES if "via own case" not in t.name], ids=lambda t: t.name)
def test_the_districts_officer_reads_but_never_writes(users, world, target):
    client = token_client(users.officer) if target.api else portal_client(users.officer)
    response = call(client, target, world)
    assert response.status_code == (404 if _dossier(target) else 403), (response.status_code,
                                                                          response.content[:300])
    assert_nothing_changed(world)


@pytest.mark.parametrize("target", [t for t in TARGETS if t.method == "get" and "own case" not in t.name],
                         ids=lambda t: t.name)
def test_the_owner_and_the_districts_officer_can_read(users, world, target):
    for user in (users.enterprise, users.officer, users.director):
        client = token_client(user) if target.api else portal_client(user)
        expected = 404 if user == users.officer and _dossier(target) else 200
        assert call(client, target, world).status_code == expected, (user, target.name)


def test_lists_do_not_leak_other_enterprises_cases(users, world):
    app, draft = world["app"], world["draft"]
    other = users.other_enterprise
    page = portal_client(other).get("/portal/").content.decode()
    assert app.reference not in page and draft.reference not in page
    searched = portal_client(other).get("/portal/", {"q": app.reference}, HTTP_HX_REQUEST="true")
    assert app.reference not in searched.content.decode()  # (the full page echoes the query itself)
    body = token_client(other).get("/api/v1/applications/", {"q": app.reference}).json()
    assert body["count"] == 0
    everything = token_client(other).get("/api/v1/applications/", {"page_size": 100}).json()
    assert {i["reference"] for i in everything["results"]}.isdisjoint({app.reference, draft.reference})
    assert APIClient().get("/api/v1/applications/").status_code == 401
    assert APIClient().get("/portal/")["Location"].startswith("/portal/login/")


@pytest.mark.parametrize("path", ["/portal/", "/portal/intents/new/", "/portal/api-token/"])
def test_portal_pages_need_sign_in(db, path):
    response = APIClient().get(path)
    assert response.status_code == 302 and response["Location"] == f"/portal/login/?next={path}"


def test_intents_are_never_registered_for_someone_else(users, world):
    before = Application.objects.count()
    response = token_client(users.other_enterprise).post("/api/v1/intents/", {
        "product_name": "x", "device_class": "II", "category": "passive", "application_type": "first",
        "enterprise": users.enterprise_obj.pk}, format="json")
    assert response.status_code == 201
    created = Application.objects.get(pk=response.json()["id"])
    assert created.enterprise == users.other_enterprise.enterprise  # the unknown field is ignored
    assert Application.objects.count() == before + 1
