"""A real browser on the real pages: headless Chromium (Debian's package) driven by Playwright,
against the app served by uvicorn on loopback over a demo-seeded SQLite store.

Chromium is installed with apt when missing (as root); with ``CI=true`` a browser that cannot be
provided fails the tests, otherwise it skips them. Screenshots go to test-artifacts/screenshots/; every page
screenshotted is first checked by axe-core (``tests.browser.pages``), which fails on serious or critical
violations.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from eventsourcing.cryptography import AESCipher

from api.main import create_app
from domain.calendar import fiscal_year, local_date
from infra.bootstrap import Services, build_services
from infra.demo import DemoSummary, seed_demo
from infra.settings import Settings
from tests.services._process import free_port, wait_until
from tests.services.chromium import CHROMIUM_ARGS, ensure_chromium_installed
from tests.services.fixtures import PROVISIONING_ERRORS, service_unavailable

HOUSEHOLDS = 12
VIEWPORT = {"width": 1366, "height": 768}  # the office PC the pages are made for
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 10_000


@dataclass
class DemoSite:
    base_url: str
    services: Services
    summary: DemoSummary

    def caught_up(self) -> None:
        """Wait until the read models include everything recorded so far."""
        head = self.services.tsunagu.recorder.max_notification_id() or 0
        assert self.services.runner.wait(head, timeout=10), "the read models did not catch up"


@pytest.fixture(scope="session")
def chromium() -> Path:
    try:
        return ensure_chromium_installed()
    except PROVISIONING_ERRORS as error:
        reason = f"could not provide Chromium: {error}"
    service_unavailable(reason)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    """The app on a free loopback port, over a freshly seeded demo ward (its own demo secrets)."""
    data_dir = tmp_path_factory.mktemp("browser-demo")
    settings = Settings(data_dir=data_dir, jwt_secret="browser-test-secret-for-signing-tokens-0123456789",
                        cipher_key=AESCipher.create_key(32), read_wait_seconds=10,
                        # every test signs in again, from one address: the limits are not under test here
                        rate_limit_sign_in_per_address="1000/minute", rate_limit_sign_in_per_staff="1000/minute")
    services = build_services(settings, demo_sign_in=True)  # as `tsunagu serve --demo` does
    clock_now = services.tsunagu.clock()
    summary = seed_demo(services.tsunagu, households=HOUSEHOLDS,
                        fiscal_year=fiscal_year(local_date(clock_now - timedelta(days=45))))
    services.runner.catch_up()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), timeout=30, what="the web server")
        assert server.started, "the web server did not start"
        yield DemoSite(base_url=f"http://127.0.0.1:{port}", services=services, summary=summary)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    """One Playwright driver for the session (two in one process would share an event loop)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_unavailable("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser_context(chromium: Path, playwright_driver) -> Iterator[object]:
    """One Chromium with a fresh profile (user-data-dir), at 1366×768, Japanese."""
    from playwright.sync_api import Error as PlaywrightError

    profile = tempfile.mkdtemp(prefix="tsunagu-chromium-")
    try:
        context = playwright_driver.chromium.launch_persistent_context(
            profile, executable_path=str(chromium), headless=True, args=list(CHROMIUM_ARGS),
            viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
    except PlaywrightError as error:
        context = None
        reason = f"Chromium did not start: {error}"
    if context is None:
        service_unavailable(reason)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def signed_in(browser_context, demo_site: DemoSite) -> Callable[[str], object]:
    """A page signed in as a demo staff member, through the sign-in page's pick list."""
    pages = []

    def sign_in(staff_id: str):
        browser_context.clear_cookies()
        page = browser_context.new_page()
        pages.append(page)
        page.goto(f"{demo_site.base_url}/")
        page.locator(f"button[name=staff_id][value='{staff_id}']").click()
        page.wait_for_url(re.compile(r"/ui/$"))
        return page

    yield sign_in
    for page in pages:
        page.close()


@pytest.fixture
def screenshot() -> Callable[[object, str], Path]:
    """Keep a screenshot of the page as it is now, once axe-core has found no serious or critical violation."""
    from tests.browser.pages import axe_violations

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = False) -> Path:
        violations = axe_violations(page)
        assert not violations, f"{name}: axe-core found serious or critical violations: {violations}"
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
