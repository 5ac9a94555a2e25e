"""Under .ci/run a skipped test is a failure; locally it still skips with its reason.

Runs one PostgreSQL-only test on SQLite in a child pytest, with and without the CI switch.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_ONLY = "tests/review/test_state_guards.py::test_raw_sql_can_still_append_to_the_log_on_postgresql"


def _pytest(**env):
    base = {k: v for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "CI", "REVIEW_REQUIRE_SERVICES", "PYTEST_ADDOPTS")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:randomly", PG_ONLY],
                          cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=300)


def test_locally_a_missing_service_skips_with_its_reason():
    result = _pytest()
    assert result.returncode == 0, result.stdout[-2000:]
    assert "1 skipped" in result.stdout and "PostgreSQL only" in result.stdout


def test_under_ci_a_skip_fails_the_run():
    for switch in ({"REVIEW_REQUIRE_SERVICES": "1"}, {"CI": "true"}):
        result = _pytest(**switch)
        assert result.returncode == 1, result.stdout[-2000:]
        assert ("1 failed" in result.stdout or "1 error" in result.stdout), result.stdout[-2000:]
        assert "SKIPPED WHERE REQUIRED" in result.stdout
