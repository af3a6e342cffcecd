"""Headless Chromium for the dashboard's browser tests (Debian's package, via Playwright).

The browser is never downloaded: Playwright drives ``/usr/bin/chromium`` (``.ci/run``
installs it with apt). Without it the tests skip saying why, unless
``STUDYBOT_REQUIRE_BROWSER=1`` (exported by ``.ci/run``), where they fail instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Read at import: the autouse fixture that clears STUDYBOT_* variables runs before tests.
REQUIRE_BROWSER = os.environ.get("STUDYBOT_REQUIRE_BROWSER") == "1"
ARTIFACTS_DIR = os.environ.get("STUDYBOT_TEST_ARTIFACTS")
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def chromium_path() -> str:
    """The Chromium executable, or skip (fail when required) with the reason."""
    found = next((p for p in CHROMIUM_PATHS if Path(p).exists()), None) or shutil.which("chromium")
    problem = None
    if found is None:
        problem = "Chromium is not installed (apt-get install -y chromium)"
    else:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing (pip install -e '.[dev]')"
    if problem is not None:
        if REQUIRE_BROWSER:
            pytest.fail(problem + " and STUDYBOT_REQUIRE_BROWSER=1")
        pytest.skip(problem + "; CI installs it and makes these tests required")
    assert found is not None
    return found


def artifacts_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ``$STUDYBOT_TEST_ARTIFACTS`` or the test's tmp dir."""
    path = Path(ARTIFACTS_DIR) if ARTIFACTS_DIR else tmp_path / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path
