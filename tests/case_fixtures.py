"""Fixtures and file builders for the portal, API and browser tests.

Imported by the ``conftest.py`` of tests/api, tests/portal and tests/browser. Cases are built
through the workflow services on dates relative to the real today (the portal and the API
compute countdowns from ``timezone.localdate()``), so they stay valid whenever the suite runs.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from review.selectors import calendar_current
from services import documents, workflow
from tests.conftest import stage_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("scan-1.pdf", PDF)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """A file as the browser would send it; the content type it claims is not trusted."""
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def uploads(settings, tmp_path):
    """Stored documents go to a fresh directory per test (never the project's var/)."""
    root = tmp_path / "uploads"
    settings.SUPPLEMENT_UPLOAD_ROOT = root
    return root


def working_day(offset: int):
    """The working day ``offset`` working days from today (negative: before)."""
    return calendar_current().add_working_days(timezone.localdate(), offset)


@pytest.fixture
def in_review(users, make_application):
    """A submitted and accepted case of ``users.enterprise``: technical review running since
    ``working_day(-10)``."""

    def make(**kwargs):
        day0 = working_day(-12)
        app = make_application(today=day0, **kwargs)
        workflow.application_submit(application=app, actor=users.enterprise, today=day0)
        workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance,
                                outcome="accepted", today=working_day(-10))
        app.refresh_from_db()
        return app

    return make


@pytest.fixture
def case_with_requests(users, make_application, uploads):
    """A case of ``users.enterprise`` with an answered request (missing items at acceptance, one
    PDF stored) and an open supplement request on the technical review.

    Returns (application, answered clock stop, open clock stop, the stored document).
    """
    day0 = working_day(-20)
    app = make_application(today=day0)
    workflow.application_submit(application=app, actor=users.enterprise, today=day0)
    answered = workflow.stage_notify_missing_items(
        stage=stage_of(app, "acceptance"), actor=users.acceptance, items=["营业执照副本", "产品技术要求"],
        today=working_day(-19))
    (doc,) = documents.supplement_answer(clock_stop=answered, actor=users.enterprise, response="已补充营业执照副本",
                                         files=[upload("营业执照.pdf", PDF)], today=working_day(-17))
    workflow.stage_complete(stage=stage_of(app, "acceptance"), actor=users.acceptance, outcome="accepted",
                            today=working_day(-16))
    open_stop = workflow.stage_request_supplement(
        stage=stage_of(app, "technical_review"), actor=users.reviewer, today=working_day(-5),
        items=["产品技术要求中性能指标的检验方法", "临床评价资料中的同品种比对数据"], note="请一次性提交")
    app.refresh_from_db()
    answered.refresh_from_db()
    open_stop.refresh_from_db()
    return app, answered, open_stop, doc


def token_client(user) -> APIClient:
    """An API client authenticated the way integrations are: ``Authorization: Token <key>``."""
    client = APIClient()
    key = Token.objects.get_or_create(user=user)[0].key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def portal_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
