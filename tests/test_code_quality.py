"""The house rules that tools can check: ruff (incl. docstrings) and mypy --strict stay clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_is_clean() -> None:
    out = _run(str(BIN / "ruff"), "check", "--no-cache", ".")
    assert out.returncode == 0, out.stdout[-4000:]


def test_mypy_strict_is_clean() -> None:
    out = _run(str(BIN / "mypy"), ".")
    assert out.returncode == 0, out.stdout[-4000:]
