"""Browser tests: one live server for all of them; list the screenshots they saved (the test artifacts)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.browser.driver import ARTIFACTS, require_chromium
from tests.server.live import data_dir, serving


@pytest.fixture(scope="session")
def live() -> Iterator[str]:
    """A real `helpdesk serve` on its embedded Postgres (rules mode, dev identity)."""
    require_chromium()
    data = data_dir()
    with serving(data=data) as (url, _proc):
        yield url
    shutil.rmtree(data, ignore_errors=True)


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
