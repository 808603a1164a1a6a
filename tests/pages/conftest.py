"""Browser tests: headless Chromium (Debian's `chromium` package) driven by Playwright
through the system browser's path. Without a browser they are skipped with a message,
unless GEZINSREGIE_REQUIRE_BROWSER=1 (set by .ci/run), which turns the skip into a failure.

Every page a test visits is checked with axe-core (no serious or critical violations) and
saved as a screenshot in GEZINSREGIE_SCREENSHOT_DIR, or else in pytest's temporary
directory (`<basetemp>/screenshots`, printed at the end of the run). Any request to a host
other than the served app fails the test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pydantic import SecretStr

from application.settings import load_settings
from interfaces.http.app import create_app
from interfaces.tokens import TokenService
from tests.pages.live_server import Api, served

REQUIRE_BROWSER = os.environ.get("GEZINSREGIE_REQUIRE_BROWSER") == "1"
CHROMIUM = os.environ.get("GEZINSREGIE_CHROMIUM", "/usr/bin/chromium")
SERIOUS = {"serious", "critical"}
HOW_TO_GET_A_BROWSER = (
    "no Chromium at {path}: these tests drive a real browser. Install it with "
    "`apt-get install -y chromium` (or point GEZINSREGIE_CHROMIUM at one); .ci/run does, "
    "and sets GEZINSREGIE_REQUIRE_BROWSER=1 so that there they fail instead of skipping."
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/pages/test_browser" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("GEZINSREGIE_SCREENSHOT_DIR")
    path = Path(configured) if configured else tmp_path_factory.getbasetemp() / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium for the session; skipped (or failed) when there is none."""
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        message = HOW_TO_GET_A_BROWSER.format(path=CHROMIUM)
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, TokenService]]:
    """The app with an empty embedded store, served on a free port."""
    settings = load_settings(
        store="sqlite",
        data_dir=tmp_path_factory.mktemp("pages") / "var",
        jwt_secret=SecretStr("pages-test-secret-" + "x" * 32),
    )
    with served(create_app(settings)) as base_url:
        yield base_url, TokenService(settings)


@pytest.fixture
def api(site: tuple[str, TokenService]) -> Api:
    return Api(*site)


@pytest.fixture
def base_url(site: tuple[str, TokenService]) -> str:
    return site[0]


class Visit:
    """A browser tab on the served app: outside requests blocked and recorded, every page
    checked with axe-core and photographed."""

    def __init__(self, context: Any, base_url: str, shots: Path, name: str) -> None:
        self.base_url, self.shots, self.name = base_url, shots, name
        self.outside: list[str] = []
        own = urlsplit(base_url).netloc
        context.route("**/*", lambda route: self._only_own(route, own))
        self.page = context.new_page()

    def _only_own(self, route: Any, own: str) -> None:
        url = route.request.url
        if urlsplit(url).netloc != own and not url.startswith(("data:", "blob:")):
            self.outside.append(url)
            route.abort()
        else:
            route.continue_()

    def go(self, path: str) -> Any:
        self.page.goto(self.base_url + path)
        return self.page

    def check(self, label: str, accessible: bool = True) -> None:
        """Screenshot the page; with `accessible`, no serious or critical axe findings."""
        self.page.screenshot(path=str(self.shots / f"{self.name}-{label}.png"), full_page=True)
        if accessible:
            from axe_playwright_python.sync_playwright import Axe

            found = Axe().run(self.page).response["violations"]
            serious = [
                f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
                for v in found
                if v["impact"] in SERIOUS
            ]
            assert serious == [], f"{label}: {serious}"


@pytest.fixture
def visit(chromium: Any, base_url: str, screenshot_dir: Path) -> Iterator[Any]:
    """Open a fresh browser context (its own cookies) per user: visit("coordinator")."""
    contexts: list[Any] = []
    visits: list[Visit] = []

    def open_as(name: str) -> Visit:
        context = chromium.new_context(locale="nl-NL")
        contexts.append(context)
        visits.append(Visit(context, base_url, screenshot_dir, name))
        return visits[-1]

    yield open_as
    for context in contexts:
        context.close()
    assert [url for v in visits for url in v.outside] == [], "requests to another host"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    configured = os.environ.get("GEZINSREGIE_SCREENSHOT_DIR")
    base = getattr(terminalreporter.config, "_tmp_path_factory", None)
    if configured:
        terminalreporter.write_line(f"page screenshots: {configured}")
    elif base is not None and (base.getbasetemp() / "screenshots").exists():
        terminalreporter.write_line(f"page screenshots: {base.getbasetemp() / 'screenshots'}")
