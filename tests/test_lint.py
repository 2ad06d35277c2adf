"""The house style is checked, not hoped for: ruff (pydocstyle numpy convention) over the whole project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean() -> None:
    # ruff is in requirements-dev.txt: a test run without it is a broken setup, not a reason to skip.
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
