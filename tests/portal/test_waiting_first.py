"""An enterprise's list: a case waiting for its answer comes first, with a filter for it, in the
portal and the API alike; drafts discarded before submission leave both lists."""

from services import drafts
from tests.case_fixtures import portal_client, token_client


def _refs_in_order(html: str, refs: list[str]) -> list[str]:
    return sorted((r for r in refs if r in html), key=html.index)


def test_the_case_waiting_for_the_enterprise_comes_first(users, make_application, case_with_requests):
    waiting, _answered, _open_stop, _doc = case_with_requests
    newer = make_application(product_name="较新的意向")  # newest: first without the rule
    refs = [waiting.reference, newer.reference]

    html = portal_client(users.enterprise).get("/portal/").content.decode()
    assert _refs_in_order(html, refs) == refs
    api = token_client(users.enterprise).get("/api/v1/applications/").json()["results"]
    assert [r["reference"] for r in api if r["reference"] in refs] == refs


def test_the_list_filters_cases_waiting_for_the_applicant(users, make_application, case_with_requests):
    waiting = case_with_requests[0]
    other = make_application(product_name="不等待的案件")
    html = portal_client(users.enterprise).get("/portal/?waiting_for_applicant=true").content.decode()
    assert waiting.reference in html and other.reference not in html
    html = portal_client(users.enterprise).get("/portal/?waiting_for_applicant=false").content.decode()
    assert waiting.reference not in html and other.reference in html
    client = token_client(users.enterprise)
    assert [r["reference"] for r in client.get("/api/v1/applications/?waiting_for_applicant=true")
            .json()["results"]] == [waiting.reference]
    bad = client.get("/api/v1/applications/?waiting_for_applicant=maybe")
    assert bad.status_code == 400 and "waiting_for_applicant" in bad.content.decode()


def test_a_discarded_draft_leaves_the_api_list_unless_withdrawn_ones_are_asked_for(users, make_application):
    draft = make_application(product_name="废弃的意向")
    kept = make_application(product_name="保留的意向")
    drafts.application_discard_draft(application=draft, actor=users.enterprise)
    client = token_client(users.enterprise)
    listed = [r["reference"] for r in client.get("/api/v1/applications/").json()["results"]]
    assert kept.reference in listed and draft.reference not in listed
    withdrawn = [r["reference"] for r in client.get("/api/v1/applications/?state=withdrawn").json()["results"]]
    assert withdrawn == [draft.reference]
