from tests.case_fixtures import case_with_requests, uploads  # noqa: F401 - fixtures for test_documents.py
