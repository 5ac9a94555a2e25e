from tests.case_fixtures import uploads  # noqa: F401 - the uploads fixture for test_migration_answered.py
