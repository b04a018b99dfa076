"""The code passes ruff (pyflakes, pycodestyle, import order, bugbear, pyupgrade and
Django's checks, as ruff.toml selects): run with the rest of the suite, so a change
that leaves an unused import or a misordered block fails like any other test."""

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
        cwd=PROJECT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout
