"""The generated parts of the docs are current."""

from review.management.commands.workflow_diagram import DOC, END, START, render


def test_architecture_diagram_is_generated_from_the_current_code(db):
    doc = DOC.read_text(encoding="utf-8")
    current = START + doc.split(START, 1)[1].split(END, 1)[0] + END
    assert current == render(), "run: python manage.py workflow_diagram --write"


def test_the_root_address_leads_to_the_portal(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/")
