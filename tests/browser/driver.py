"""Debian's chromium, headless, driven by selenium through the system chromedriver (no downloads)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,900")
ARTIFACTS = Path(tempfile.gettempdir()) / "helpdesk-browser-artifacts"


def require_chromium() -> None:
    """Skip locally when chromium is absent; in CI (.ci/run installs it) that is a failure."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        missing = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)


@contextmanager
def chromium(*, lang: str = "en-US", offline: bool = False, mobile: bool = False) -> Iterator[WebDriver]:
    """A fresh headless chromium; `offline`: every non-loopback request goes to a dead proxy."""
    require_chromium()
    profile = Path(tempfile.mkdtemp(prefix="helpdesk-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--lang={lang}")
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    if offline:  # loopback goes direct; anything else would hit a port nobody listens on
        options.add_argument("--proxy-server=http://127.0.0.1:9")
        options.add_argument("--proxy-bypass-list=<-loopback>;127.0.0.1;localhost")
    if mobile:
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2}})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver: WebDriver, check: Callable[[WebDriver], Any], timeout: float = 30.0, what: str = "") -> Any:
    """Poll `check` until it returns something truthy; fail with the page's console log.

    An element the page re-rendered between finding it and reading it (stale) is polled again,
    as a missing one is: the console redraws a ticket's details when it changes.
    """
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1,
                             ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(check)
    except TimeoutException:
        shot = screenshot(driver, "timeout")
        logs = [e["message"] for e in driver.get_log("browser")]
        raise AssertionError(f"timed out waiting for {what or check}; screenshot {shot}; console: {logs}") from None


def screenshot(driver: WebDriver, name: str) -> Path:
    """Save a PNG of the page under the temp directory and print its path (a test artifact)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path
