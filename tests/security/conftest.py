import pytest

from tests.case_fixtures import case_with_requests, in_review, uploads  # noqa: F401


@pytest.fixture(autouse=True)
def _private_uploads(uploads):  # noqa: F811
    """Every test here stores documents in its own temporary directory."""
    return uploads
