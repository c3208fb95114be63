"""Browser tests: list the screenshots they saved at the end of the run (the test artifacts)."""

from __future__ import annotations

import pytest

from tests.browser.driver import ARTIFACTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print where each page's screenshot is, even when output was captured."""
    shots = sorted(ARTIFACTS.glob("*.png")) if ARTIFACTS.is_dir() else []
    if shots:
        terminalreporter.write_sep("-", f"browser screenshots in {ARTIFACTS}")
        for shot in shots:
            terminalreporter.write_line(str(shot))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start each run with no screenshots of an earlier one."""
    for old in ARTIFACTS.glob("*.png") if ARTIFACTS.is_dir() else []:
        old.unlink(missing_ok=True)
