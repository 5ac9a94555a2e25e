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


def _slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    import re

    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_docs_anchor_cited_in_the_code_and_the_docs_exists():
    """Comments cite ``docs/<page>.md#<anchor>`` (and the docs link each other so): each page and
    heading (or ``<a id>``) they name exists, so a renamed heading cannot leave a dead citation."""
    import re
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    anchors = {}
    for page in (root / "docs").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        anchors[page.name] = ({_slug(h) for h in re.findall(r"^#+\s+(.+)$", text, re.M)}
                              | set(re.findall(r'<a id="([^"]+)"></a>', text)))
    files = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    cited = []
    for name in files:
        path = root / name
        if path.suffix in {".mo", ".png", ".pdf", ".json", ".po"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        cited += [(name, page, anchor) for page, anchor in re.findall(r"docs/([\w-]+\.md)#([\w-]+)", text)]
        if name.startswith("docs/"):
            cited += [(name, page, anchor) for page, anchor in re.findall(r"\]\(([\w-]+\.md)#([\w-]+)\)", text)]
            cited += [(name, Path(name).name, anchor) for anchor in re.findall(r"\]\(#([\w-]+)\)", text)]
    dead = [c for c in cited if c[2] not in anchors.get(c[1], set())]
    assert len(cited) > 40 and not dead, dead
