"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright's Python package.

`playwright install` is never run: the browser is the system's. Without it the e2e tests
skip, unless CARELOOP_REQUIRE_E2E=1 (set by .ci/run) makes a missing browser a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from careloop.cli.screenshots import CHROMIUM_ARGS

CHROMIUM = Path(os.environ.get("CARELOOP_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_E2E = os.environ.get("CARELOOP_REQUIRE_E2E") == "1"


def _unavailable(reason: str) -> None:
    if REQUIRE_E2E:
        pytest.fail(f"e2e required (CARELOOP_REQUIRE_E2E=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """The e2e tests run on SQLite only: the browser, not the engine, is under test."""
    target = tmp_path / "careloop.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class CapturingSms:
    """Stands in for the SMS gateway: the customer's one-time code lands here."""

    name = "capture"

    def __init__(self) -> None:
        self.messages: list[Any] = []

    def send(self, message: Any) -> None:
        self.messages.append(message)
