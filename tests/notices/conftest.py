import io

import pytest
from pypdf import PdfReader

from tests.case_fixtures import case_with_requests, in_review, uploads  # noqa: F401


@pytest.fixture(autouse=True)
def _private_uploads(uploads):  # noqa: F811
    return uploads


def pdf_text(data: bytes) -> str:
    """The text of every page, as a reader's copy-and-paste would give it (whitespace removed, so
    line breaks chosen by the typesetter do not matter)."""
    reader = PdfReader(io.BytesIO(bytes(data)))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)
