"""The generated parts of the docs are current."""

from ops.management.commands.workflow_diagram import DOC, END, START, render


def test_architecture_diagram_is_generated_from_the_current_code(db):
    doc = DOC.read_text(encoding="utf-8")
    current = START + doc.split(START, 1)[1].split(END, 1)[0] + END
    assert current == render(), "run: python manage.py workflow_diagram --write"


def test_the_root_address_leads_to_the_portal(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/")


def test_regulatory_basis_links_resolve_to_its_own_anchors():
    """Code comments and pack sources cite docs/regulatory-basis.md#<key>: every key linked inside
    the page exists, and each key is defined once."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "regulatory-basis.md").read_text(encoding="utf-8")
    anchors = re.findall(r'<a id="([a-z0-9-]+)"></a>', text)
    assert len(anchors) == len(set(anchors))
    links = set(re.findall(r"\]\(#([a-z0-9-]+)\)", text))
    assert links and links <= set(anchors), sorted(links - set(anchors))


def test_the_rooms_and_commands_tables_are_generated_from_the_current_code(db):
    """docs/architecture.md's table of packages (with their layers) and of commands."""
    from ops.management.commands.architecture_doc import DOC as ARCH
    from ops.management.commands.architecture_doc import render as render_architecture

    doc = ARCH.read_text(encoding="utf-8")
    assert doc == render_architecture(doc), "run: python manage.py architecture_doc --write"
    for package in ("staff", "portal", "api", "dashboard", "web", "services", "review", "clock"):
        assert f"| `{package}/` |" in doc
    for command in ("seed_demo", "scan_deadlines", "kpi_report", "load_calendar", "reproject_cases"):
        assert f"| `manage.py {command}` |" in doc
