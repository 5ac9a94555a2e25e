"""The house (docs/architecture.md#the-house), checked by import-linter's contracts in
pyproject.toml: interfaces above services above alerts, documents and figures above the models and
reads, the clock pure at the bottom; interfaces never import each other; no cycle between packages."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_import_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_the_clock_is_pure():
    """No ORM, no Django settings in the clock: functions of dates and a calendar."""
    for path in (ROOT / "clock").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "django.db" not in text and "from review" not in text and "import review" not in text, path
