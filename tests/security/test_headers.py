"""Every page carries the Content-Security-Policy; tests/browser checks pages still work."""

import pytest
from django.test import Client


@pytest.mark.parametrize("url", ["/portal/login/", "/admin/login/", "/api/docs/", "/api/v1/applications/"])
def test_every_page_has_a_content_security_policy(db, url):
    policy = Client().get(url)["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy


def test_api_docs_need_no_inline_script(db):
    page = Client().get("/api/docs/").content.decode()
    assert "<script>" not in page
