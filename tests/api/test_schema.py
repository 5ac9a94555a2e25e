"""The OpenAPI schema is valid, documents every endpoint with its errors; the docs use local assets."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from api.urls import urlpatterns


@pytest.fixture
def schema(db):
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_generates_without_warnings(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_every_api_route_is_documented_with_its_errors(schema):
    paths = schema["paths"]
    for pattern in urlpatterns:
        route = "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        assert route in paths, route
        for method, operation in paths[route].items():
            codes = set(operation["responses"])
            assert "400" in codes or "404" in codes, (route, method)
            public = route.startswith(("/api/v1/calendar", "/api/v1/service-guide", "/api/v1/lookup",
                                       "/api/v1/notices/verify"))
            if public:
                assert operation.get("security", []) in ([], [{}]) and "401" not in codes  # public
            else:
                assert "401" in codes, (route, method)
            if method == "post" and not public:  # a public POST (verify a file) has nobody to refuse
                assert {"400", "403"} <= codes, (route, method)


def test_schema_declares_token_and_session_auth(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"]["type"] == "apiKey" and schemes["tokenAuth"]["name"] == "Authorization"
    assert "cookieAuth" in schemes


def test_interactive_docs_load_their_assets_from_the_project(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert scripts and all(s.startswith("/static/") or s.startswith("/api/") for s in scripts), scripts
    # Words, not substrings: a random token could hold the letters "cdn".
    assert not re.search(r"\b(?:cdn|unpkg)\b", html, re.IGNORECASE)
    for url in scripts:
        if url.startswith("/static/"):  # served by WhiteNoise in production, found here
            assert finders.find(url.removeprefix("/static/")), url
